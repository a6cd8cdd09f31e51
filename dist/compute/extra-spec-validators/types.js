// One known flavor extra spec: its name and the rule its value must follow. The shape follows
// nova/api/validation/extra_specs/base.py (ExtraSpecValidator), Nova Zed (26.x).
export {};
//# sourceMappingURL=types.js.map
// parameter_types.hostname as Nova Zed has it (2.90 to 2.93; 2.94 widens it to an FQDN): create,
// update and rebuild share it, so that a refused hostname reads the same as Nova's message, which
// quotes the pattern ("'a.b' does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'").
// Ajv checks maxLength before pattern, so the pattern's backtracking is bounded by 63 characters.
export const hostname = {
  type: 'string',
  minLength: 2,
  maxLength: 63,
  pattern: '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$',
};

// A compute API microversion (nova api_version_request.APIVersionRequest) and the range this
// service honours. The microversion plugin negotiates it per request; the compute rules read it.
import { BadRequest } from '../errors.js';

export const MIN_VERSION = '2.1';
/** The highest microversion whose changes are all honoured. Raise it only with the changes. */
export const MAX_VERSION = '2.93';

/** Versions the code compares against (literals such as '2.9'), parsed once: a list view compares ~12 per server. */
const compared = new Map<string, ApiVersion>();

export class ApiVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(text: string): ApiVersion {
    const m = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(text);
    if (!m)
      throw new BadRequest(`API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`);
    return new ApiVersion(Number(m[1]), Number(m[2]));
  }

  cmp(other: ApiVersion | string): number {
    let o: ApiVersion | undefined;
    if (typeof other !== 'string') o = other;
    else if (!(o = compared.get(other))) {
      o = ApiVersion.parse(other);
      if (compared.size < 1000) compared.set(other, o);
    }
    return this.major - o.major || this.minor - o.minor;
  }
  gte(v: string): boolean {
    return this.cmp(v) >= 0;
  }
  lt(v: string): boolean {
    return this.cmp(v) < 0;
  }
  /** Inclusive range check; an absent max means "no upper bound". */
  within(min: string, max?: string): boolean {
    return this.gte(min) && (max === undefined || this.cmp(max) <= 0);
  }
  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export const MIN = ApiVersion.parse(MIN_VERSION);
export const MAX = ApiVersion.parse(MAX_VERSION);

/*
 * The issues of a value checked by a shape (./index.ts), in zod's terms: the same codes, fields,
 * paths and English messages as zod 4, so that a check moved off zod reports word for word what
 * it reported before. Only what the library's own checks raise is here.
 */

/** One thing wrong with a value, at `path` inside it. */
export interface Issue {
  code: 'invalid_type' | 'invalid_value' | 'too_big' | 'too_small' | 'invalid_format' | 'unrecognized_keys' | 'invalid_key' | 'invalid_union' | 'custom';
  path: PropertyKey[];
  /** Set by the check or shape that raised it; otherwise the parse's `describe` words it. */
  message?: string;
  /** zod's flag: true lets the next checks run (a failed bound); anything else ends the value (a wrong type). */
  continue?: boolean;
  input?: unknown;
  expected?: string;
  values?: readonly unknown[];
  origin?: string;
  minimum?: number;
  maximum?: number;
  inclusive?: boolean;
  exact?: boolean;
  pattern?: string;
  keys?: string[];
  /** A discriminated union's accepted values, when none matched. */
  options?: unknown[];
  /** Each branch's issues, when no branch of a union matched. */
  errors?: Issue[][];
  /** A record key's own issues. */
  issues?: Issue[];
}

/** What a shape made of a value: its output (objects and arrays copied) and what is wrong with it. */
export interface Result {
  value: unknown;
  issues: Issue[];
}

/** Whether an issue from `start` on ends the value: a later check does not run, a union branch is out. */
export function aborted(issues: readonly Issue[], start = 0): boolean {
  for (let index = start; index < issues.length; index++) if (issues[index]!.continue !== true) return true;
  return false;
}

/**
 * Adds `more` to `issues`, each moved one level down, under `key`. One by one: a spread of a
 * value's issues (a list of 200 000 bad items has as many) overflows the call stack.
 */
export function addPrefixed(issues: Issue[], key: PropertyKey, more: readonly Issue[]): void {
  for (const issue of more) {
    issue.path.unshift(key);
    issues.push(issue);
  }
}

/** zod's name for the type of a value (`number`, `NaN`, `Infinity`, `array`, `null`, a class name). */
function typeName(value: unknown): string {
  const type = typeof value;
  if (type === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : String(value);
  if (type !== 'object') return type;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const object = value as { constructor?: { name: string } };
  if (Object.getPrototypeOf(object) !== Object.prototype && 'constructor' in object && object.constructor) return object.constructor.name;
  return type;
}

const quoted = (value: unknown) => (typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? `"${value}"` : `${String(value)}`);
const units: Record<string, string> = { string: 'characters', array: 'items' };

/** zod 4's English message for an issue (its `en` locale), for the codes shapes raise. */
export function englishMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${issue.expected === 'nan' ? 'NaN' : issue.expected}, received ${typeName(issue.input)}`;
    case 'invalid_value':
      return issue.values!.length === 1 ? `Invalid input: expected ${quoted(issue.values![0])}` : `Invalid option: expected one of ${issue.values!.map(quoted).join('|')}`;
    case 'too_big':
    case 'too_small': {
      const big = issue.code === 'too_big';
      const adjective = issue.exact ? 'exactly ' : issue.inclusive ? (big ? '<=' : '>=') : big ? '<' : '>';
      const unit = units[issue.origin!];
      const bound = `${adjective}${String(big ? issue.maximum : issue.minimum)}`;
      return `Too ${big ? 'big' : 'small'}: expected ${issue.origin} to ${unit ? `have ${bound} ${unit}` : `be ${bound}`}`;
    }
    case 'invalid_format':
      return `Invalid string: must match pattern ${issue.pattern}`;
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys!.length > 1 ? 's' : ''}: ${issue.keys!.map(quoted).join(', ')}`;
    case 'invalid_key':
      return 'Invalid key in record';
    case 'invalid_union':
      return issue.options && issue.options.length > 0 ? `Invalid discriminator value. Expected ${issue.options.map((option) => `'${String(option)}'`).join(' | ')}` : 'Invalid input';
    default:
      return 'Invalid input';
  }
}

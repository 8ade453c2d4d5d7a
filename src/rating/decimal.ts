// Exact decimals as scaled BigInt integers: value = n / 10^s. Products and sums are exact; the only
// divisions of the spec are rounded once, half-up, by `roundHalfUp`. No binary floating point.

export interface Dec {
  readonly n: bigint;
  /** Decimal places, >= 0. */
  readonly s: number;
}

// JSON number grammar (RFC 8259 §6): the only spelling of a decimal the core accepts.
const DECIMAL = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;
/** Guards BigInt sizes against absurd exponents ("1e999999999"): such text is not a usable decimal. */
const MAX_EXPONENT = 400;
const MAX_TEXT = 200;

const POWERS: bigint[] = [1n];
export function pow10(k: number): bigint {
  for (let i = POWERS.length; i <= k; i++) POWERS.push(POWERS[i - 1] * 10n);
  return POWERS[k];
}

/** The decimal written in `text` (JSON number grammar), or null when it is not one. */
export function parseDecimal(text: string): Dec | null {
  if (text.length > MAX_TEXT) return null;
  const match = DECIMAL.exec(text);
  if (match === null) return null;
  const [, sign, int, frac = '', exp] = match;
  const exponent = exp === undefined ? 0 : Number(exp);
  if (Math.abs(exponent) > MAX_EXPONENT) return null;
  const digits = BigInt(sign + int + frac);
  const s = frac.length - exponent;
  return s >= 0 ? { n: digits, s } : { n: digits * pow10(-s), s: 0 };
}

/** Shorthand for text known to be valid (table values after validation). */
export function dec(text: string): Dec {
  const value = parseDecimal(text);
  if (value === null) throw new RangeError(`Not a decimal: ${JSON.stringify(text)}`);
  return value;
}

/** The integer n·10^places / 10^s, exact when places >= s. */
export function scaledTo(value: Dec, places: number): bigint {
  return places >= value.s ? value.n * pow10(places - value.s) : value.n / pow10(value.s - places);
}

export function compareDec(a: Dec, b: Dec): number {
  const s = Math.max(a.s, b.s);
  const x = scaledTo(a, s);
  const y = scaledTo(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function mulDec(a: Dec, b: Dec): Dec {
  return { n: a.n * b.n, s: a.s + b.s };
}

export function isZero(value: Dec): boolean {
  return value.n === 0n;
}

/** Canonical text: plain notation, no trailing fractional zeros, "0" for zero. */
export function canonicalText(value: Dec): string {
  let { n, s } = value;
  while (s > 0 && n % 10n === 0n) {
    n /= 10n;
    s--;
  }
  return formatScaled(n, s);
}

/** An integer at `places` decimal places as text with exactly that many places ("70.59"). */
export function formatScaled(n: bigint, places: number): string {
  if (n >= 0n && n <= MAX_SAFE && places <= TABLE_PLACES)
    return formatSafeInteger(Number(n), places);
  return formatDigits(n, places);
}

/** formatScaled of a non-negative safe integer: the hot path of every contribution and index. */
export function formatSafeInteger(value: number, places: number): string {
  if (places > TABLE_PLACES) return formatDigits(BigInt(value), places);
  if (places === 0) return String(value);
  const unit = UNITS[places];
  const whole = Math.floor(value / unit);
  return `${whole}.${fractionDigits(places)[value - whole * unit]}`;
}

function formatDigits(n: bigint, places: number): string {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString();
  if (places === 0) return negative ? `-${digits}` : digits;
  const padded = digits.length > places ? digits : digits.padStart(places + 1, '0');
  const cut = padded.length - places;
  return `${negative ? '-' : ''}${padded.slice(0, cut)}.${padded.slice(cut)}`;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Fractions up to this many places come from precomputed digit tables. */
const TABLE_PLACES = 4;
const UNITS = [1, 10, 100, 1000, 10_000];
const FRACTIONS: string[][] = [];

/** "0000" .. "9999" for places 4, and so on: built once per number of places. */
function fractionDigits(places: number): string[] {
  let table = FRACTIONS[places];
  if (table === undefined) {
    table = Array.from({ length: UNITS[places] }, (_, i) => String(i).padStart(places, '0'));
    FRACTIONS[places] = table;
  }
  return table;
}

/** round(p / q) to an integer, half away from zero; q > 0. Exact. */
export function roundHalfUp(p: bigint, q: bigint): bigint {
  return p >= 0n ? (2n * p + q) / (2n * q) : -((-2n * p + q) / (2n * q));
}

/** The smallest integer >= p / q; q > 0. */
export function ceilDiv(p: bigint, q: bigint): bigint {
  const quotient = p / q;
  return quotient * q < p ? quotient + 1n : quotient;
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

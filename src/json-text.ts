// JSON text of strings and numbers as JSON.stringify writes it, without calling it for the common plain values (the log line, the sample app's body).

/**
 * Does JSON write this string as is between quotes? It escapes only `"`, `\`, control characters and
 * lone surrogates: printable ASCII other than those two is written as it is. (A loop: after a
 * signature check, a regular expression cost twice as much on the short strings logged.)
 */
function isPlain(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c > 126 || c === 34 || c === 92) return false;
  }
  return true;
}

/**
 * A string as JSON text, exactly as JSON.stringify writes it.
 * @example jsonString("/whoami") // '"/whoami"'
 */
export function jsonString(value: string): string {
  return isPlain(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * A number as JSON text: as String writes it when finite, null otherwise.
 * @example numberText(NaN) // "null"
 */
export function numberText(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/**
 * A duration in milliseconds rounded to microseconds (as the request line logs it), as String writes
 * it: from integers, which format without the general double-to-text conversion (a microsecond
 * after a signature check). Any other number is written by numberText.
 * @example millisText(12.5) // "12.5"
 */
export function millisText(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 1e15 && us / 1000 === ms)) return numberText(ms);
  const whole = Math.floor(us / 1000);
  let fraction = us - whole * 1000;
  if (fraction === 0) return String(whole);
  let digits = 3;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits--;
  }
  return `${whole}.${String(fraction).padStart(digits, "0")}`;
}

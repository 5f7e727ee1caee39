// Free text from outside (IdP errors, exceptions) made fit for a log line: bounded BEFORE the token scrubber runs, then scrubbed, then cut to a line.
import { scrubTokens } from "alb-oidc-target/rules";

/** Characters looked at: a JWT fits well inside, and no request can make the scrubber read more. */
const SCAN_CHARS = 4096;
/** Characters kept in the log line. */
const KEEP_CHARS = 300;

/**
 * Bounded, token-free text for logs and error pages.
 * @example safeDetail(String(err))
 */
export function safeDetail(text: string): string {
  return scrubTokens(text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text).slice(0, KEEP_CHARS);
}

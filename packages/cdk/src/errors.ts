// The one error class of the construct: a prop is missing, contradicts another, or holds a bad value.

/** A prop of `AlbOidcTarget` is wrong; the message names the prop and quotes the bad value. */
export class AlbOidcTargetError extends Error {
  override readonly name = "AlbOidcTargetError";
}

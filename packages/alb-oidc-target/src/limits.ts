// The size limits the ALB imposes, shared by the function, the package and the emulator (one number, one place).

/** An ALB header is at most 16 KB (claims + access token are capped at 11 KB): a longer token never came through one. */
export const MAX_TOKEN_CHARS = 16 * 1024;

/** The ALB's jwt-validation action refuses JWKS documents above 150 KB; so do we. */
export const MAX_JWKS_BYTES = 150 * 1024;

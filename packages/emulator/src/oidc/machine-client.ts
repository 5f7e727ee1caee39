// The documented demo service client of the embedded provider (client-credentials grant), shared by the emulator and `npm run token`.

/**
 * Registered at the embedded provider whenever it runs (README "Machine routes locally"). The secret is
 * public on purpose, like the demo users' missing passwords: the provider only listens on loopback.
 */
export const DEMO_MACHINE_CLIENT = { clientId: "demo-service", clientSecret: "demo-service-secret" } as const;

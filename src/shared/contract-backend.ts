import { z } from 'zod';

/**
 * The backend part of a request that runs a model (startRun, startBuild): which backend of the
 * registry, its options, and a key typed into the form. Kept apart from contract.ts so that
 * contract-build.ts can use it without importing contract.ts, which imports it.
 */
export const backendRequestFields = {
  /** A backend id from listBackends; absent: baseline for model 'baseline', else gguf. */
  backend: z.string().min(1).max(64).optional(),
  /**
   * The backend's options by field name (listBackends' fields), validated by the backend. For a field with
   * `confirmsHostOf`, the form asks the user to confirm a non-loopback host and then lists it here (allowHost).
   */
  backendOptions: z.record(z.string(), z.unknown()).optional(),
  /** A typed-in API key for a server backend: used for this session only, never stored (the manifest records none). */
  apiKey: z.string().min(1).max(4096).optional(),
};

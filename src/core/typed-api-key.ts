/**
 * A key typed into the UI's form (startRun, resumeRun, startBuild) reaches the backend as an environment
 * entry of this session only: the backend options name the variable (apiKeyEnv, as `--api-key-env` does),
 * so the settings and manifest record the variable's name and never the key.
 */
export const UI_API_KEY_ENV = 'MEDBENCH_API_KEY';

export function withTypedApiKey(
  options: Record<string, unknown> | undefined,
  apiKey: string | undefined,
): { backendOptions?: Record<string, unknown>; secretEnv?: Record<string, string> } {
  if (!apiKey) return options ? { backendOptions: options } : {};
  const variable = typeof options?.apiKeyEnv === 'string' ? options.apiKeyEnv : UI_API_KEY_ENV;
  return { backendOptions: { ...options, apiKeyEnv: variable }, secretEnv: { [variable]: apiKey } };
}

/** The environment entry for resuming with a typed key: the variable the run recorded, else the UI's. */
export function typedApiKeyEnv(recordedOptions: Record<string, unknown> | undefined, apiKey: string): Record<string, string> {
  const recorded = recordedOptions?.apiKeyEnv;
  return { [typeof recorded === 'string' ? recorded : UI_API_KEY_ENV]: apiKey };
}

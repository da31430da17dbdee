import packageJson from '../../package.json' with { type: 'json' };

/** The app version recorded in manifests and shown by --version. */
export const APP_VERSION: string = packageJson.version;

declare const RUNTS_VERSION_DEFINE: string | undefined;

/** Set by the bundler from package.json; "0.0.0-dev" when running from source. */
export const RUNTS_VERSION: string = typeof RUNTS_VERSION_DEFINE === 'string' ? RUNTS_VERSION_DEFINE : '0.0.0-dev';

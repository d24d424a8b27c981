/** This package's version, as published (checked against package.json by the telemetry tests). */
export const libraryVersion = '0.1.0';

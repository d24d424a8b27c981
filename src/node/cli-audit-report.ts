export const reportUsage = 'x'; export async function auditReportCommand(): Promise<number> { return 0; }

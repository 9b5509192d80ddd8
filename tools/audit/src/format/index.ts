export { decimalOf, EXPORT_CSV_HEADER, exportLinesToCsv, exportLinesToTable, totalsText } from './audit-export.format';
export { DAY_REPORT_CSV_HEADER, dayReportToCsv, dayReportToText } from './day-report.format';

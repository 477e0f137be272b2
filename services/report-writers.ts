// Writes a report to a stream as CSV or XLSX, a row at a time, waiting whenever the reader is slower than the
// database, so memory stays flat whatever the number of rows. Headers in the reader's language; in XLSX numbers are
// numbers and dates are dates (with a format), in CSV dates are ISO and numbers have no grouping.
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { localDay, localMinute, wallClock } from '../domain/local-time.js';
import type { Cell, ColumnType, Lang, Report } from './reports.js';

export const reportFormats = ['csv', 'xlsx'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const contentTypes: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain) await once(out, 'drain');
}

/** A local date 'YYYY-MM-DD' as a Date whose UTC fields are that date: what a spreadsheet's date cell holds. */
const dateCell = (day: string) => new Date(`${day}T00:00:00Z`);

function typed(value: Cell, type: ColumnType, zone: string): Cell {
  if (value === null) return null;
  if (type === 'date') return typeof value === 'string' ? dateCell(value) : value;
  // A spreadsheet cell has no time zone: an instant is written as the office's wall-clock time.
  if (type === 'datetime') return value instanceof Date ? wallClock(value.getTime(), zone) : value;
  return value;
}

function csvText(value: Cell, type: ColumnType, zone: string): string {
  if (value === null) return '';
  if (value instanceof Date) {
    return type === 'date' ? localDay(value.getTime(), zone) : localMinute(value.getTime(), zone);
  }
  return String(value);
}

const quote = (text: string) => (/[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export async function writeCsv(report: Report, lang: Lang, out: Writable): Promise<void> {
  // The byte-order mark makes Excel read the file as UTF-8 (names carry Indonesian letters and em dashes).
  out.write('\ufeff' + report.columns.map((c) => quote(c.label[lang])).join(',') + '\r\n');
  for await (const row of report.rows) {
    const line = row.map((value, i) => quote(csvText(value, report.columns[i]!.type, report.zone))).join(',');
    if (!out.write(line + '\r\n')) await drained(out);
  }
  out.end();
}

const numberFormats: Partial<Record<ColumnType, string>> = {
  integer: '#,##0',
  decimal: '#,##0.0',
  percent: '0.0%',
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm',
};

export async function writeXlsx(report: Report, lang: Lang, out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  // Excel refuses a sheet name longer than 31 characters or with any of * ? : \ / [ ] ("By kabupaten/kota").
  const sheet = workbook.addWorksheet(report.title[lang].replace(/[*?:\\/[\]]/g, '-').slice(0, 31));
  sheet.columns = report.columns.map((c) => ({
    header: c.label[lang],
    width: Math.max(12, Math.min(40, c.label[lang].length + 4)),
    style: numberFormats[c.type] ? { numFmt: numberFormats[c.type] } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for await (const row of report.rows) {
    sheet.addRow(row.map((value, i) => typed(value, report.columns[i]!.type, report.zone))).commit();
    await drained(out);
  }
  sheet.commit();
  await workbook.commit();
}

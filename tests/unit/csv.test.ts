// CSV for Excel: RFC 4180 quoting, a BOM so Ukrainian text opens as UTF-8, and no cell a
// spreadsheet would run as a formula.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { csvCell, toCsv } from '../../server/announcements/csv.ts';

test('cells: empty for nothing, ISO for dates, quotes only where needed', () => {
  assert.is(csvCell(null), '');
  assert.is(csvCell(undefined), '');
  assert.is(csvCell(0), '0');
  assert.is(csvCell(12.5), '12.5');
  assert.is(csvCell(false), 'false');
  assert.is(csvCell(new Date('2026-11-20T10:00:00Z')), '2026-11-20T10:00:00.000Z');
  assert.is(csvCell('Прикарпаттяобленерго'), 'Прикарпаттяобленерго');
  assert.is(csvCell('Вода, каналізація'), '"Вода, каналізація"');
  assert.is(csvCell('КП «Водоканал» "Центр"'), '"КП «Водоканал» ""Центр"""');
  assert.is(csvCell('рядок\nдругий'), '"рядок\nдругий"');
  assert.is(csvCell('a;b'), '"a;b"', 'Excel in a Ukrainian locale splits on semicolons');
  assert.is(csvCell('В’ячеслава'), 'В’ячеслава', 'a typographic apostrophe is plain text');
  assert.is(csvCell("Об'єкт"), `"Об'єкт"`);
});

test('formula-looking text is neutralised, numbers are not', () => {
  assert.is(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.is(csvCell('+380501234567'), `"'+380501234567"`);
  assert.is(csvCell('@SUM(A1)'), `"'@SUM(A1)"`);
  assert.is(csvCell('\tcmd'), `"'\tcmd"`);
  assert.is(csvCell('-5'), '-5');
  assert.is(csvCell('-2.75'), '-2.75');
  assert.is(csvCell(-3), '-3');
  assert.is(csvCell('-5 днів'), `"'-5 днів"`);
});

test('a document: BOM, CRLF after every row including the last', () => {
  const csv = toCsv(['Період', 'Оголошень'], [['2026-11', 3], ['2026-12', null]]);
  assert.is(csv, '\ufeffПеріод,Оголошень\r\n2026-11,3\r\n2026-12,\r\n');
  assert.is(toCsv(['a'], []), '\ufeffa\r\n');
});

test.run();

import { csvField, csvRecord } from './audit-csv';

describe('audit CSV', () => {
  it('quotes only where RFC 4180 needs it and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(12)).toBe('12');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('{"k":"v"}')).toBe('"{""k"":""v""}"');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
  });

  it('defuses spreadsheet formulas', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-1+2')).toBe("'-1+2");
  });

  it('ends records with CRLF', () => {
    expect(csvRecord([1, 'a', null])).toBe('1,a,\r\n');
  });
});

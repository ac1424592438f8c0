import { renderCheck, renderPlan } from '../../src/report';
import { annotation, escapeData, escapeProperty } from '../../src/report/github';
import { checkInput, fkFinding, planInput, span } from '../support/report-fixtures';

describe('github workflow commands', () => {
  test('data escaping: %, CR, LF (in that order, so %0A is not re-escaped)', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeData('%0A')).toBe('%250A');
    expect(escapeData('a:b,c')).toBe('a:b,c');
  });

  test('property escaping adds : and ,', () => {
    expect(escapeProperty('C:\\x,y%\n')).toBe('C%3A\\x%2Cy%25%0A');
  });

  test('annotation: properties in order, col/endColumn only on single-line spans, severities map to commands', () => {
    expect(annotation('error', span('prisma/schema.prisma', 14, 3, 72), 'idxgen fk-index', 'line one\nline two')).toBe(
      '::error file=prisma/schema.prisma,line=14,col=3,endLine=14,endColumn=72,title=idxgen fk-index::line one%0Aline two',
    );
    expect(annotation('warn', span('a.prisma', 2, 1, 2, 5), 't', 'm')).toBe(
      '::warning file=a.prisma,line=2,endLine=5,title=t::m',
    );
    expect(annotation('info', undefined, 't', 'm')).toBe('::notice title=t::m');
  });

  test('hostile file names and messages cannot end the command or add properties', () => {
    const input = checkInput();
    input.findings = [
      {
        ...fkFinding,
        span: span('weird,dir:x\\my%file.prisma', 1, 1, 5),
        message: {
          ...fkFinding.message,
          title: 'T::warning file=evil.txt::pwned\n::error::x',
          cost: '50% slower,\rreally',
        },
      },
    ];
    const out = renderCheck('github', input, { color: false });
    const lines = out.split('\n');
    // One command per finding + one per unused suppression, nothing else.
    expect(lines.filter((l) => l.startsWith('::'))).toHaveLength(2);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^::error file=weird%2Cdir%3Ax\/my%25file\.prisma,line=1,col=1,endLine=1,endColumn=5,title=idxgen fk-index::T::warning file=evil\.txt::pwned\\u000a::error::x%0A50%25 slower,\\u000dreally%0A/,
    );
    // Line breaks inside one field are shown, not obeyed; the breaks between fields are %0A.
    expect(escapeData('a\nb')).toBe('a%0Ab');
  });

  test('control characters other than CR/LF are made visible', () => {
    const input = checkInput();
    input.findings = [{ ...fkFinding, message: { ...fkFinding.message, title: 'bell\u0007 esc\u001b[31m' } }];
    expect(renderCheck('github', input, { color: false })).toContain('::bell\\u0007 esc\\u001b[31m%0A');
  });

  test('nothing to report → empty output', () => {
    expect(renderCheck('github', { ...checkInput(), findings: [], unusedSuppressions: [] }, { color: false })).toBe('');
  });

  test('plan: load warnings, then entries in plan order, then unused suppressions', () => {
    const commands = renderPlan('github', planInput(), { color: false })
      .trimEnd()
      .split('\n')
      .map((l) => /^::(\w+) .*?title=([^:]*)::/.exec(l)!.slice(1, 3).join(' '));
    expect(commands).toEqual([
      'warning idxgen legacy-datasource-url',
      'warning idxgen no-migrations',
      'error idxgen fk-index',
      'warning idxgen enum-check',
      'warning idxgen redundant-index',
      'notice idxgen covering-index',
      'notice idxgen json-gin-index',
      'warning idxgen unused-suppression',
    ]);
  });
});

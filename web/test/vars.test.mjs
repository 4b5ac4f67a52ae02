// Grafana's template variables: the format registry (cases from grafana/scenes'
// formatRegistry.test), the Prometheus and Loki defaults, query parsing, regex and sorting.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  applyRegex,
  customOptions,
  interpolate,
  intervalOptions,
  parseVariableQuery,
  queryResultLines,
  referencedVariables,
  sortOptions,
} from '../src/lib/dash/vars.js';

// One variable named `server` formatted with `format`, as the registry tests do.
const fmt = (format, value, extra = {}) => interpolate(`\${server:${format}}`, { server: { value, ...extra } });

test('formats (formatRegistry.test)', () => {
  assert.equal(fmt('lucene', 'foo bar'), 'foo\\ bar');
  assert.equal(fmt('lucene', '-1'), '-1');
  assert.equal(fmt('lucene', '-test'), '\\-test');
  assert.equal(fmt('lucene', ['foo bar', 'baz']), '("foo\\ bar" OR "baz")');
  assert.equal(fmt('lucene', []), '__empty__');
  assert.equal(fmt('glob', 'foo'), 'foo');
  assert.equal(fmt('glob', ['AA', 'BB', 'C.*']), '{AA,BB,C.*}');
  assert.equal(fmt('text', 'v', { text: 'display text' }), 'display text');
  assert.equal(fmt('text', ['test', 'test2']), 'test + test2');
  assert.equal(fmt('raw', [12, 13]), '12,13');
  assert.equal(fmt('raw', '#Æ³"Ä1"#!'), '#Æ³"Ä1"#!');
  assert.equal(fmt('regex', 'test.'), 'test\\.');
  assert.equal(fmt('regex', ['test.']), 'test\\.');
  assert.equal(fmt('regex', ['test.', 'test2']), '(test\\.|test2)');
  assert.equal(fmt('pipe', ['test', 'test2']), 'test|test2');
  assert.equal(fmt('distributed', ['test']), 'test');
  assert.equal(fmt('distributed', ['test', 'test2']), 'test,server=test2');
  assert.equal(fmt('csv', 'test'), 'test');
  assert.equal(fmt('csv', ['test', 'test2']), 'test,test2');
  assert.equal(fmt('html', '<script>alert(asd)</script>'), '&lt;script&gt;alert(asd)&lt;/script&gt;');
  assert.equal(fmt('json', ['test', 12]), '["test",12]');
  assert.equal(fmt('json', 'test'), 'test');
  assert.equal(fmt('percentencode', ['foo()bar BAZ', 'test2']), '%7Bfoo%28%29bar%20BAZ%2Ctest2%7D');
  assert.equal(fmt('singlequote', 'test'), "'test'");
  assert.equal(fmt('singlequote', ['test', "test'2"]), "'test','test\\'2'");
  assert.equal(fmt('doublequote', 'test'), '"test"');
  assert.equal(fmt('doublequote', ['test', 'test"2']), '"test","test\\"2"');
  assert.equal(fmt('sqlstring', "test'value"), "'test''value'");
  assert.equal(fmt('sqlstring', 'test"value'), "'test\\\"value'");
  assert.equal(fmt('sqlstring', ['test', "test'value2", 'test"value3']), "'test','test''value2','test\\\"value3'");
  assert.equal(fmt('join', ['hello', 'world']), 'hello,world');
  assert.equal(fmt('join: | ', ['hello', 'world']), 'hello | world');
  assert.equal(fmt('customqueryparam', ['api', 'database']), 'server=api&server=database');
  assert.equal(fmt('customqueryparam:p-server:v-', ['api', 'database']), 'p-server=v-api&p-server=v-database');
  assert.equal(fmt('percentencodeuri', '/any-path?query=foo()bar BAZ'), '/any-path?query=foo%28%29bar%20BAZ');
  assert.equal(fmt('queryparam', 'helloAZ%='), 'var-server=helloAZ%25%3D');
  assert.equal(fmt('queryparam', ['a', 'b']), 'var-server=a&var-server=b');
  // An unknown format falls back to glob.
  assert.equal(fmt('nosuchformat', ['a', 'b']), '{a,b}');
});

test('date formats on built-in time variables', () => {
  const scope = { __from: '1594671549254', __to: { value: '1594675149254', text: 'now' } };
  assert.equal(interpolate('${__from:date}', scope), '2020-07-13T20:19:09.254Z');
  assert.equal(interpolate('${__from:date:iso}', scope), '2020-07-13T20:19:09.254Z');
  assert.equal(interpolate('${__from:date:seconds}', scope), '1594671549');
  assert.equal(interpolate('${__from:date:ms}', scope), '1594671549254');
  assert.equal(interpolate('${__from:date:YYYY-MM:ss}', scope), '2020-07:09');
  assert.equal(interpolate('$__from..$__to', scope), '1594671549254..1594675149254');
  assert.equal(interpolate('${__to:text}', scope), 'now');
});

test('syntax: $var, ${var}, [[var]], formats, unknown variables', () => {
  const scope = { job: 'node', instance: { value: ['a', 'b'], multi: true }, __interval: '30s' };
  assert.equal(interpolate('up{job="$job"}', scope), 'up{job="node"}');
  assert.equal(interpolate('up{job="${job}"}', scope), 'up{job="node"}');
  assert.equal(interpolate('up{job="[[job]]"}', scope), 'up{job="node"}');
  assert.equal(interpolate('[[instance:csv]] ${instance:pipe} $instance', scope), 'a,b a|b {a,b}');
  assert.equal(interpolate('rate(x[$__interval])', scope), 'rate(x[30s])');
  assert.equal(interpolate('$missing ${missing} [[missing]] $__rate_interval', scope), '$missing ${missing} [[missing]] $__rate_interval');
  // `$job` and `$jobname` are different names.
  assert.equal(interpolate('$jobname', scope), '$jobname');
  assert.deepEqual(referencedVariables('x{a="$job",b=~"${instance:regex}"} [[job]] $__interval'), ['job', 'instance', '__interval']);
});

test('Prometheus default: single-valued variables are escaped, not regexed', () => {
  const p = (value, extra = {}) => interpolate('$v', { v: { value, ...extra } }, { format: 'prometheus' });
  assert.equal(p('10.0.0.1:9100'), '10.0.0.1:9100');
  assert.equal(p('looking*glass'), 'looking*glass');
  assert.equal(p("looking'glass"), "looking\\\\'glass");
  assert.equal(p('C:\\temp'), 'C:\\\\temp');
  // Node Exporter Full: a chained, single-valued selection.
  const scope = { job: { value: 'node' }, node: { value: 'host:9100' } };
  assert.equal(
    interpolate('node_load1{instance="$node",job="$job"}', scope, { format: 'prometheus' }),
    'node_load1{instance="host:9100",job="node"}',
  );
});

test('Prometheus default: multi-value and include-All variables become regexes', () => {
  const p = (value, extra) => interpolate('$v', { v: { value, ...extra } }, { format: 'prometheus' });
  const multi = { multi: true };
  assert.equal(p('looking*glass', multi), 'looking\\\\*glass');
  assert.equal(p(['a.b'], multi), 'a\\\\.b');
  assert.equal(p(['a|bc', 'de|f'], multi), '(a\\\\|bc|de\\\\|f)');
  assert.equal(p(['test\\ing'], multi), 'test\\\\\\\\ing');
  assert.equal(p('10.0.0.1', { includeAll: true }), '10\\\\.0\\\\.0\\\\.1');
  // MySQL overview: multi + includeAll with `allValue: ".+"`, current value `$__all`.
  const instance = { value: ['$__all'], multi: true, includeAll: true, allValue: '.+', options: ['db1:9104', 'db2:9104'] };
  assert.equal(interpolate('mysql_up{instance=~"$instance"}', { instance }, { format: 'prometheus' }), 'mysql_up{instance=~".+"}');
  // Without an allValue, All is every option, regex-escaped.
  const noAllValue = { ...instance, allValue: null, options: [{ text: 'All', value: '$__all' }, { text: 'db1', value: 'db1:9104' }, 'db.2'] };
  assert.equal(interpolate('$instance', { instance: noAllValue }, { format: 'prometheus' }), '(db1:9104|db\\\\.2)');
  // An explicit format in the text beats the data source's default.
  assert.equal(interpolate('${v:csv}', { v: { value: ['a.b', 'c'], multi: true } }, { format: 'prometheus' }), 'a.b,c');
  assert.equal(interpolate('${instance:text}', { instance }, { format: 'prometheus' }), 'All');
  assert.equal(interpolate('${instance:queryparam}', { instance }), 'var-instance=$__all');
});

test('Loki default: plain values as they are, alternatives joined unbracketed', () => {
  const l = (value, extra = {}) => interpolate('$v', { v: { value, ...extra } }, { format: 'loki' });
  assert.equal(l('a.b'), 'a.b');
  assert.equal(l(['a.b', 'c'], { multi: true }), 'a\\\\.b|c');
  assert.equal(l(['a.b'], { multi: true }), 'a\\\\.b');
  assert.equal(l(['$__all'], { multi: true, includeAll: true, allValue: '.*' }), '.*');
});

test('a format function receives the value and the variable', () => {
  const seen = [];
  const out = interpolate('$v', { v: { value: ['x', 'y'], multi: true } }, { format: (value, v) => (seen.push(v), value.join('+')) });
  assert.equal(out, 'x+y');
  assert.deepEqual(seen, [{ name: 'v', multi: true, includeAll: false }]);
});

test('parseVariableQuery: Prometheus query variables', () => {
  assert.deepEqual(parseVariableQuery('label_names()'), { kind: 'label_names' });
  assert.deepEqual(parseVariableQuery('label_names(up)'), { kind: 'label_names', selector: 'up' });
  assert.deepEqual(parseVariableQuery('label_values(job)'), { kind: 'label_values', label: 'job' });
  assert.deepEqual(parseVariableQuery('label_values(mysql_up, job)'), { kind: 'label_values', label: 'job', selector: 'mysql_up' });
  assert.deepEqual(parseVariableQuery({ query: 'label_values(node_uname_info{job="$job", nodename="$nodename"}, instance)', refId: 'A' }), {
    kind: 'label_values',
    label: 'instance',
    selector: 'node_uname_info{job="$job", nodename="$nodename"}',
  });
  assert.deepEqual(parseVariableQuery('label_values({}, job)'), { kind: 'label_values', label: 'job' });
  assert.deepEqual(parseVariableQuery('metrics(node_.*)'), { kind: 'metrics', regex: 'node_.*' });
  assert.deepEqual(parseVariableQuery('query_result(topk(5, up))'), { kind: 'query_result', expr: 'topk(5, up)' });
  assert.deepEqual(parseVariableQuery('up{job="node"}'), { kind: 'series', selector: 'up{job="node"}' });
  assert.equal(parseVariableQuery(''), null);
  assert.equal(parseVariableQuery('label_values()'), null);
  // Grafana 10's structured form.
  assert.deepEqual(parseVariableQuery({ qryType: 1, label: 'instance', metric: 'up' }), { kind: 'label_values', label: 'instance', selector: 'up' });
  assert.deepEqual(parseVariableQuery({ qryType: 1, label: 'job', labelFilters: [{ label: 'env', op: '=', value: 'prod' }] }), {
    kind: 'label_values',
    label: 'job',
    selector: '{env="prod"}',
  });
  assert.deepEqual(parseVariableQuery({ qryType: 0 }), { kind: 'label_names' });
  assert.deepEqual(parseVariableQuery({ qryType: 3, varQuery: 'up\n== 1' }), { kind: 'query_result', expr: 'up== 1' });
});

test('queryResultLines: how query_result reads for the regex', () => {
  const vector = [
    { metric: { __name__: 'up', instance: 'a:9100', job: 'node' }, value: [1700000000, '1'] },
    { metric: { job: 'x' }, value: [1700000000.5, '0'] },
  ];
  assert.deepEqual(queryResultLines(vector), ['up{instance="a:9100",job="node"} 1 1700000000000', '{job="x"} 0 1700000000500']);
  assert.deepEqual(queryResultLines({ resultType: 'scalar', result: [1700000000, '42'] }), ['42']);
});

test("applyRegex: Grafana's variable regex", () => {
  const lines = ['up{instance="a:9100",job="node"} 1 1700000000000', 'up{instance="b:9100",job="node"} 1 1700000000000'];
  assert.deepEqual(applyRegex(lines, '/instance="([^"]+)"/'), [
    { text: 'a:9100', value: 'a:9100' },
    { text: 'b:9100', value: 'b:9100' },
  ]);
  assert.deepEqual(applyRegex(['a:9100', 'b:9100', 'a:9100'], '/(?<text>[^:]+):(?<value>\\d+)/'), [{ text: 'a', value: '9100' }]);
  assert.deepEqual(applyRegex(['prod-db', 'dev-db', 'prod-web'], '/prod-.*/'), [
    { text: 'prod-db', value: 'prod-db' },
    { text: 'prod-web', value: 'prod-web' },
  ]);
  // A bare pattern must match the whole value.
  assert.deepEqual(applyRegex(['web1', 'web12', 'db1'], 'web\\d'), [{ text: 'web1', value: 'web1' }]);
  assert.deepEqual(applyRegex(['Web', 'web'], '/^web$/i'), [
    { text: 'Web', value: 'Web' },
    { text: 'web', value: 'web' },
  ]);
  // With `g`, every match of the first group is an option.
  assert.deepEqual(applyRegex(['a=1,b=2'], '/=(\\d)/g'), [
    { text: '1', value: '1' },
    { text: '2', value: '2' },
  ]);
  assert.deepEqual(applyRegex([{ text: 'x', value: 'y' }], ''), [{ text: 'x', value: 'y' }]);
  assert.throws(() => applyRegex(['a'], '/unterminated'));
});

test('sortOptions: sort codes 0–8', () => {
  const opts = ['b10', 'B2', 'a1', 'b2', 'c'].map((t) => ({ text: t, value: t }));
  const texts = (sort) => sortOptions(opts, sort).map((o) => o.text);
  assert.deepEqual(texts(0), ['b10', 'B2', 'a1', 'b2', 'c']);
  assert.deepEqual(texts(1), ['B2', 'a1', 'b10', 'b2', 'c']);
  assert.deepEqual(texts(2), ['c', 'b2', 'b10', 'a1', 'B2']);
  assert.deepEqual(texts(3), ['c', 'a1', 'B2', 'b2', 'b10']);
  assert.deepEqual(texts(4), ['b10', 'b2', 'B2', 'a1', 'c']);
  assert.deepEqual(texts(5), ['a1', 'b10', 'B2', 'b2', 'c']);
  assert.deepEqual(texts(6), ['c', 'b2', 'B2', 'b10', 'a1']);
  assert.deepEqual(texts(7), ['a1', 'B2', 'b2', 'b10', 'c']);
  assert.deepEqual(texts(8), ['c', 'b10', 'b2', 'B2', 'a1']);
  // Numerical sort reads the first number anywhere in the text.
  const hosts = ['node-10', 'node-9', 'node-100'].map((t) => ({ text: t, value: t }));
  assert.deepEqual(sortOptions(hosts, 3).map((o) => o.text), ['node-9', 'node-10', 'node-100']);
});

test('customOptions and intervalOptions', () => {
  assert.deepEqual(customOptions('a,b, c'), [
    { text: 'a', value: 'a' },
    { text: 'b', value: 'b' },
    { text: 'c', value: 'c' },
  ]);
  assert.deepEqual(customOptions('Production : prod, Staging : stage'), [
    { text: 'Production', value: 'prod' },
    { text: 'Staging', value: 'stage' },
  ]);
  assert.deepEqual(customOptions('a\\,b,c'), [
    { text: 'a,b', value: 'a,b' },
    { text: 'c', value: 'c' },
  ]);
  assert.deepEqual(customOptions('http://x:80'), [{ text: 'http://x:80', value: 'http://x:80' }]);
  assert.deepEqual(intervalOptions('1m,10m,30m,1h'), ['1m', '10m', '30m', '1h'].map((x) => ({ text: x, value: x })));
  assert.deepEqual(intervalOptions('1m, "5m", 1m'), ['1m', '5m'].map((x) => ({ text: x, value: x })));
  assert.deepEqual(intervalOptions(''), [{ text: '1m', value: '1m' }]);
  assert.deepEqual(intervalOptions('1m', { auto: true })[0], { text: 'auto', value: '$__auto' });
});

// The query editor: CodeMirror 6 with PromQL (Prometheus' own language package: highlighting,
// completion of metric names with type and help, label names and values, functions with a
// line of doc, and its linter) or LogQL (Grafana's LogQL grammar, highlighted here, with
// completion of stream labels and values and inline syntax errors). Enter runs, Shift+Enter
// is a new line; Up/Down at the first/last line walk the history.
import { EditorState, Compartment, Prec, StateEffect, StateField } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt, lineNumbers } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from '@codemirror/commands';
import {
  LRLanguage,
  LanguageSupport,
  syntaxHighlighting,
  HighlightStyle,
  bracketMatching,
  syntaxTree,
} from '@codemirror/language';
import { autocompletion, closeBrackets, completionKeymap } from '@codemirror/autocomplete';
import { linter, forceLinting, lintGutter } from '@codemirror/lint';
import { styleTags, tags as t } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import { parser as logqlParser } from '@grafana/lezer-logql';
import * as api from './api.js';

const HISTORY_KEY = 'argus.query-history';
const HISTORY_MAX = 50;

export function queryHistory() {
  try {
    return JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]');
  } catch {
    return [];
  }
}

export function remember(expr) {
  const e = expr.trim();
  if (!e) return;
  const list = [e, ...queryHistory().filter((x) => x !== e)].slice(0, HISTORY_MAX);
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(list));
  } catch {
    // Private windows may refuse storage; history is a convenience.
  }
}

// Colours come from CSS variables so that both themes apply.
const highlight = HighlightStyle.define([
  { tag: t.keyword, color: 'var(--hl-keyword)' },
  { tag: [t.function(t.variableName), t.standard(t.name)], color: 'var(--hl-function)' },
  { tag: t.string, color: 'var(--hl-string)' },
  { tag: [t.number, t.unit], color: 'var(--hl-number)' },
  { tag: [t.operator, t.compareOperator], color: 'var(--hl-operator)' },
  { tag: t.labelName, color: 'var(--hl-label)' },
  { tag: t.comment, color: 'var(--fg-muted)', fontStyle: 'italic' },
  { tag: t.invalid, color: 'var(--error)' },
]);

// LogQL's grammar has no highlighting of its own: the node names it exports, by role.
const logqlHighlight = styleTags({
  'Json Logfmt Unpack Pattern Regexp Unwrap LabelFormat LineFormat LabelReplace Decolorize Drop Keep Ip':
    t.keyword,
  'By Without On Ignoring GroupLeft GroupRight Bool Offset And Or Unless': t.keyword,
  'Sum Avg Count Max Min Stddev Stdvar Bottomk Topk Sort Sort_Desc Approx_Topk': t.function(t.variableName),
  'CountOverTime Rate RateCounter BytesOverTime BytesRate AvgOverTime SumOverTime MinOverTime MaxOverTime':
    t.function(t.variableName),
  'StddevOverTime StdvarOverTime QuantileOverTime FirstOverTime LastOverTime AbsentOverTime Vector':
    t.function(t.variableName),
  'BytesConv DurationConv DurationSecondsConv ApproxCountDistinct': t.function(t.variableName),
  String: t.string,
  'Number Duration Bytes Range': t.number,
  'Identifier LabelName': t.labelName,
  'Eq Neq Re Nre PipeExact PipeMatch PipePattern Npa Pipe Gtr Gte Lss Lte Eql': t.operator,
  'Add Sub Mul Div Mod Pow': t.operator,
  LineComment: t.lineComment,
});

const logqlLanguage = LRLanguage.define({
  name: 'logql',
  parser: logqlParser.configure({ props: [logqlHighlight] }),
  languageData: { closeBrackets: { brackets: ['(', '[', '{', '"', '`'] }, commentTokens: { line: '#' } },
});

const LOGQL_FUNCTIONS = [
  ['count_over_time', 'the number of lines in each stream over the range'],
  ['rate', 'lines per second over the range'],
  ['bytes_over_time', 'bytes of the lines over the range'],
  ['bytes_rate', 'bytes per second over the range'],
  ['sum_over_time', 'sum of an unwrapped label over the range'],
  ['avg_over_time', 'average of an unwrapped label'],
  ['min_over_time', 'minimum of an unwrapped label'],
  ['max_over_time', 'maximum of an unwrapped label'],
  ['quantile_over_time', 'φ-quantile of an unwrapped label'],
  ['first_over_time', 'first value of an unwrapped label'],
  ['last_over_time', 'last value of an unwrapped label'],
  ['absent_over_time', '1 where the range has no lines'],
  ['sum', 'sum over dimensions'],
  ['avg', 'average over dimensions'],
  ['count', 'number of series'],
  ['topk', 'the k largest series'],
  ['bottomk', 'the k smallest series'],
  ['max', 'maximum over dimensions'],
  ['min', 'minimum over dimensions'],
  ['json', 'parse the line as JSON into labels'],
  ['logfmt', 'parse the line as logfmt into labels'],
  ['line_format', 'rewrite the line with a template'],
  ['label_format', 'rename or template labels'],
  ['unwrap', 'use a label as the sample value'],
];

// Label names and values of log streams, for completion (cached for a minute).
const cache = new Map();
async function cached(key, load) {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < 60000) return hit.value;
  const value = await load().catch(() => []);
  cache.set(key, { at: Date.now(), value });
  return value;
}

async function logqlComplete(ctx) {
  const before = ctx.state.sliceDoc(Math.max(0, ctx.pos - 200), ctx.pos);
  // A label value: `label="...` or `label=~"...`.
  let m = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=|!=|=~|!~)\s*"([^"]*)$/.exec(before);
  if (m && insideBraces(before)) {
    const values = await cached(`v:${m[1]}`, () => api.get(`/loki/api/v1/label/${encodeURIComponent(m[1])}/values`));
    return {
      from: ctx.pos - m[3].length,
      options: values.map((v) => ({ label: v, type: 'text' })),
      validFor: /^[^"]*$/,
    };
  }
  const word = ctx.matchBefore(/[a-zA-Z_][a-zA-Z0-9_]*/);
  if (insideBraces(before)) {
    const names = await cached('names', () => api.get('/loki/api/v1/labels'));
    return {
      from: word ? word.from : ctx.pos,
      options: names.map((n) => ({ label: n, type: 'property' })),
      validFor: /^[a-zA-Z0-9_]*$/,
    };
  }
  if (!word && !ctx.explicit) return null;
  return {
    from: word ? word.from : ctx.pos,
    options: LOGQL_FUNCTIONS.map(([label, info]) => ({ label, info, type: 'function' })),
    validFor: /^[a-zA-Z0-9_]*$/,
  };
}

function insideBraces(text) {
  return text.lastIndexOf('{') > text.lastIndexOf('}');
}

// The server's error about the text as it was run, until the text changes.
const setServerError = StateEffect.define();
const serverError = StateField.define({
  create: () => [],
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setServerError)) return e.value;
    return tr.docChanged ? [] : value;
  },
});

/** Syntax errors as the grammar finds them (error nodes of the parse tree). */
function treeErrors(view) {
  const out = [];
  const len = view.state.doc.length;
  syntaxTree(view.state).iterate({
    enter(n) {
      if (!n.type.isError) return;
      // An error at the very end (an unclosed bracket) marks the last character.
      const from = n.from >= len && len > 0 ? len - 1 : n.from;
      out.push({ from, to: Math.max(n.to, Math.min(len, from + 1)), severity: 'error', message: 'syntax error' });
    },
  });
  return out;
}

/**
 * One linter per editor, so that no source's result wipes another's: the server's error,
 * PromQL's own checks (types, functions) when the language is PromQL, and else the
 * grammar's syntax errors.
 */
function combinedLinter(semantic) {
  return linter(
    async (view) => {
      const out = [...view.state.field(serverError)];
      const checked = semantic ? await semantic(view) : [];
      out.push(...checked);
      if (!checked.length) out.push(...treeErrors(view));
      return out;
    },
    { delay: 400 },
  );
}

function languageExtension(lang) {
  if (lang === 'logql') {
    return [
      new LanguageSupport(logqlLanguage, [logqlLanguage.data.of({ autocomplete: logqlComplete })]),
      combinedLinter(null),
    ];
  }
  const promql = new PromQLExtension()
    .setComplete({ remote: { url: '', httpMethod: 'POST', cache: { maxAge: 60000 } } })
    .activateLinter(false);
  const lint = promql.getLinter();
  return [promql.asExtension(), combinedLinter((view) => lint.promQL()(view))];
}

/** Is this text LogQL rather than PromQL? A stream selector followed by a pipeline, or a
 * LogQL-only function around one. */
export function looksLikeLogQL(text) {
  const s = text.trim();
  if (/\}\s*(\|=|!=|\|~|!~|\||$)/.test(s) && /^\{/.test(s)) return true;
  return /\{[^}]*\}\s*(\|=|!=|\|~|!~|\|\s*(json|logfmt|pattern|regexp|unpack|line_format|label_format))/.test(s);
}

/**
 * An editor in `parent`. Options: doc, lang ('promql'|'logql'), onRun(), onChange(text),
 * placeholder. Returns {view, text(), setText(), setLanguage(), showError(message, pos)}.
 */
export function createEditor(parent, opts) {
  const language = new Compartment();
  let historyAt = -1;
  const run = () => {
    opts.onRun?.();
    return true;
  };
  const walk = (dir) => (view) => {
    const { state } = view;
    const line = state.doc.lineAt(state.selection.main.head);
    if (dir < 0 && line.number !== 1) return false;
    if (dir > 0 && line.number !== state.doc.lines) return false;
    const list = queryHistory();
    const next = historyAt - dir;
    if (next < -1 || next >= list.length) return false;
    historyAt = next;
    const text = next === -1 ? '' : list[next];
    view.dispatch({ changes: { from: 0, to: state.doc.length, insert: text }, selection: { anchor: text.length } });
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.doc || '',
      extensions: [
        history(),
        bracketMatching(),
        closeBrackets(),
        autocompletion({ icons: false, activateOnTyping: true }),
        syntaxHighlighting(highlight),
        lintGutter(),
        placeholderExt(opts.placeholder || 'Expression (press Enter to run, Shift+Enter for a new line)'),
        EditorView.lineWrapping,
        Prec.highest(
          keymap.of([
            { key: 'Enter', run },
            { key: 'Shift-Enter', run: insertNewlineAndIndent },
            { key: 'ArrowUp', run: walk(-1) },
            { key: 'ArrowDown', run: walk(1) },
          ]),
        ),
        keymap.of([...completionKeymap, ...historyKeymap, ...defaultKeymap]),
        serverError,
        language.of(languageExtension(opts.lang || 'promql')),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange?.(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ 'aria-label': 'Query expression' }),
      ],
    }),
  });
  // Not used for now: a single editor line needs no numbers.
  void lineNumbers;
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setLanguage(lang) {
      view.dispatch({ effects: language.reconfigure(languageExtension(lang)) });
    },
    /** Marks the server's error at its position (1-based line and column), if it has one. */
    showError(message, pos) {
      const doc = view.state.doc;
      let from = 0;
      if (pos && pos.line >= 1 && pos.line <= doc.lines) {
        const line = doc.line(pos.line);
        from = Math.min(line.to, line.from + Math.max(0, pos.column - 1));
      }
      // Past the end (an unclosed parenthesis): mark the last character instead, so that
      // the mark is a visible range rather than a point.
      if (from >= doc.length && doc.length > 0) from = doc.length - 1;
      const to = Math.min(doc.length, from + 1);
      view.dispatch({ effects: setServerError.of([{ from, to: Math.max(to, from), severity: 'error', message }]) });
      forceLinting(view);
    },
    clearError() {
      view.dispatch({ effects: setServerError.of([]) });
    },
    focus: () => view.focus(),
  };
}

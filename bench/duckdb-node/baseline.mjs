// The DuckDB baseline of `bench/run.sh --scenario user` (see bench/README.md): the same CSV and the same SQL in
// DuckDB's own Node API, in a process of its own, with the settings Symbolon gives its query database (threads,
// memory limit). Driven by the bench (Symbolon.Bench, Session/DuckDbNode.cs); not meant to be run by hand, though
// `node baseline.mjs load --csv FILE` works.
//
//   node baseline.mjs load  --csv FILE [--threads N] [--memory 512MiB] [--sql SQL]
//       A cold load in this fresh process: create an in-memory instance, CREATE TABLE ... AS SELECT * FROM
//       read_csv(...) with explicit types, then run SQL once. Prints one JSON line with the times (ms) and exits.
//   node baseline.mjs serve --csv FILE [--threads N] [--memory 512MiB]
//       Loads the CSV, prints {"ready":true,...}, then answers one JSON request per stdin line with one JSON line:
//         {"op":"categories","pairs":[[merchant, category], ...]}  adds the category column (not timed)
//         {"op":"query","sql":"..."}                               runs it; {"ms": time of the query alone, "cpuMs", "rows": [...]}
//       and exits when stdin closes.
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const scriptStarted = performance.now();
const { DuckDBInstance } = await import('@duckdb/node-api');
const moduleLoaded = performance.now();

function options(argv) {
  const result = { threads: '2', memory: '512MiB', sql: null, csv: null };
  for (let i = 1; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in result) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete option ${argv[i]}`);
    }
    result[key] = argv[i + 1];
  }
  if (!result.csv) {
    throw new Error('--csv is required');
  }
  return result;
}

const quote = (text) => `'${text.replaceAll("'", "''")}'`;

// The generator's header is Date,Description,Merchant,Amount,Currency; the columns get Symbolon's names and types.
const loadSql = (csv) => `CREATE TABLE transactions AS SELECT * FROM read_csv(${quote(csv)}, header = true, auto_detect = false,
  columns = {'date': 'DATE', 'description': 'VARCHAR', 'merchant': 'VARCHAR', 'amount': 'DECIMAL(18,4)', 'currency': 'VARCHAR'},
  dateformat = '%Y-%m-%d', delim = ',', quote = '"')`;

async function open(o) {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(o.threads), memory_limit: o.memory, temp_directory: '' });
  const connection = await instance.connect();
  return { instance, connection };
}

const cpuMs = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function query(connection, sql) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const reader = await connection.runAndReadAll(sql);
  const rows = reader.getRowsJson();
  return { ms: performance.now() - started, cpuMs: cpuMs(cpu), rows };
}

async function count(connection) {
  const reader = await connection.runAndReadAll('SELECT count(*)::BIGINT FROM transactions');
  return Number(reader.getRowsJson()[0][0]);
}

const print = (value) => process.stdout.write(JSON.stringify(value) + '\n');

async function load(o) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { connection } = await open(o);
  const opened = performance.now();
  await connection.run(loadSql(o.csv));
  const loaded = performance.now();
  const first = o.sql ? await query(connection, o.sql) : null;
  const answered = performance.now();
  const readyCpuMs = cpuMs(cpu);
  print({
    scriptMs: scriptStarted, // process start (performance's time origin) to this script running
    moduleMs: moduleLoaded - scriptStarted,
    openMs: opened - started,
    loadMs: loaded - opened,
    firstQueryMs: first ? first.ms : null,
    readyMs: answered - started, // open + load + first query, in this fresh process
    readyCpuMs, // CPU time of all the process's threads over the same span
    sinceProcessStartMs: answered,
    rows: await count(connection),
  });
}

async function serve(o) {
  const { connection } = await open(o);
  const started = performance.now();
  await connection.run(loadSql(o.csv));
  print({ ready: true, loadMs: performance.now() - started, rows: await count(connection) });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) {
      continue;
    }
    try {
      const request = JSON.parse(line);
      if (request.op === 'categories') {
        await connection.run('CREATE TABLE categories(merchant VARCHAR, category VARCHAR)');
        const appender = await connection.createAppender('categories');
        for (const [merchant, category] of request.pairs) {
          appender.appendVarchar(merchant);
          appender.appendVarchar(category);
          appender.endRow();
        }
        appender.closeSync();
        await connection.run(`CREATE TABLE with_categories AS
          SELECT t.date, t.amount, t.currency, t.description, t.merchant, c.category
          FROM transactions t LEFT JOIN categories c USING (merchant)`);
        await connection.run('DROP TABLE transactions');
        await connection.run('ALTER TABLE with_categories RENAME TO transactions');
        const reader = await connection.runAndReadAll('SELECT count(*)::BIGINT FROM transactions WHERE category IS NULL');
        print({ ok: true, uncategorized: Number(reader.getRowsJson()[0][0]) });
      } else if (request.op === 'query') {
        print({ ok: true, ...(await query(connection, request.sql)) });
      } else {
        print({ ok: false, error: `unknown op ${request.op}` });
      }
    } catch (e) {
      print({ ok: false, error: String(e && e.message ? e.message : e) });
    }
  }
}

const o = options(process.argv.slice(2));
if (process.argv[2] === 'load') {
  await load(o);
} else if (process.argv[2] === 'serve') {
  await serve(o);
} else {
  throw new Error('usage: node baseline.mjs load|serve --csv FILE [--threads N] [--memory 512MiB] [--sql SQL]');
}

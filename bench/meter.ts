/**
 * A metering middleware on the adaptor's own DynamoDB client: what each measured call read and wrote,
 * whatever path the planner took. It counts items read the way AWS bills them (ScannedCount of every
 * Query/Scan on the table or a GSI; every item a GetItem/BatchGetItem fetched from an item partition),
 * and capacity with the per-index split DynamoDB reports (the harness asks for INDEXES).
 *
 * The collection-record read every request makes is a GetItem on a metadata partition: it is counted
 * as a request and in read units, not as an item read (it is not an item of the collection).
 */
import type { Db } from '../lambda/store/client';

interface UnitsOut {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

interface CapacityOut extends UnitsOut {
  Table?: UnitsOut;
  GlobalSecondaryIndexes?: Record<string, UnitsOut>;
}

interface AttrKey {
  pk?: { S?: string };
}

export interface Meter {
  /** requests per command, without the `Command` suffix */
  requests: Record<string, number>;
  /** items DynamoDB read (see above) */
  itemsRead: number;
  /** items read through a GSI (ScannedCount of index Queries), a part of itemsRead */
  indexItemsRead: number;
  readUnits: number;
  writeUnits: number;
  /** write units DynamoDB reports for the table and for the GSIs (their sum is writeUnits) */
  tableWriteUnits: number;
  indexWriteUnits: number;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** Item partitions start with `I#` (store/keys.ts itemsPk). */
const isItemKey = (key: AttrKey | undefined) => key?.pk?.S?.startsWith('I#') === true;

function emptyMeter(): Meter {
  return {
    requests: {},
    itemsRead: 0,
    indexItemsRead: 0,
    readUnits: 0,
    writeUnits: 0,
    tableWriteUnits: 0,
    indexWriteUnits: 0,
  };
}

const units = (u: UnitsOut | undefined) =>
  (u?.CapacityUnits ?? 0) || (u?.ReadCapacityUnits ?? 0) + (u?.WriteCapacityUnits ?? 0);

function record(m: Meter, command: string, input: any, output: any): void {
  m.requests[command] = (m.requests[command] ?? 0) + 1;
  if (typeof output?.ScannedCount === 'number') {
    m.itemsRead += output.ScannedCount;
    if (input?.IndexName) m.indexItemsRead += output.ScannedCount;
  } else if (command === 'GetItem') {
    if (output?.Item && isItemKey(input?.Key)) m.itemsRead += 1;
  } else if (command === 'BatchGetItem') {
    for (const items of Object.values((output?.Responses ?? {}) as Record<string, AttrKey[]>))
      m.itemsRead += items.filter((i) => isItemKey(i) || i.pk === undefined).length;
  }
  const consumed: CapacityOut[] = Array.isArray(output?.ConsumedCapacity)
    ? output.ConsumedCapacity
    : output?.ConsumedCapacity
      ? [output.ConsumedCapacity]
      : [];
  for (const c of consumed) {
    const gsi = Object.values(c.GlobalSecondaryIndexes ?? {}).reduce((n, u) => n + units(u), 0);
    // The total, or (if DynamoDB left it out) the table's and the indexes' parts.
    const total = units(c) || units(c.Table) + gsi;
    if (WRITES.has(command)) {
      m.writeUnits += total;
      m.indexWriteUnits += gsi;
      m.tableWriteUnits += total - gsi;
    } else {
      m.readUnits += total;
    }
  }
}

const installed = new WeakMap<Db, { current: Meter }>();

/** Installs the meter on the client once; `measure` then counts what `fn` asked of DynamoDB. */
export function meterOf(db: Db): { measure<T>(fn: () => Promise<T>): Promise<{ result: T; meter: Meter }> } {
  let state = installed.get(db);
  if (!state) {
    const s = { current: emptyMeter() };
    state = s;
    installed.set(db, s);
    db.client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
        record(s.current, command, args.input, out.output);
        return out;
      },
      { step: 'initialize', name: 'benchMeter' },
    );
  }
  const s = state;
  return {
    async measure(fn) {
      s.current = emptyMeter();
      const result = await fn();
      const meter = s.current;
      s.current = emptyMeter();
      return { result, meter };
    },
  };
}

export function commandsOf(requests: Record<string, number>): string {
  return Object.entries(requests)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}

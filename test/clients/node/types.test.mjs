// node-postgres (`pg`) with the `pgvector` npm package, unchanged, against
// the extension: registerTypes, toSql / fromSql through the text format, and
// the binary format both ways, compared value for value with what was sent.
// The connection comes from the libpq environment (PGHOST, PGPORT, ...).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import pg from 'pg';
import pgvector from 'pgvector';
import pgvectorPg from 'pgvector/pg';

import {
  decodeHalfvecBits,
  decodeSparsevec,
  decodeVector,
  encodeHalfvec,
  encodeSparsevec,
  encodeVector,
  float32FromBits,
  halfBitsToNumber,
  seededRandom,
} from './wire_formats.mjs';

const { SparseVector } = pgvector;
const TABLE = 'client_node_values';

let client;

before(async () => {
  client = new pg.Client();
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  await pgvectorPg.registerTypes(client);
});

after(async () => {
  await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await client.end();
});

async function typeExists(name) {
  const result = await client.query('SELECT to_regtype($1) IS NOT NULL AS present', [name]);
  return result.rows[0].present;
}

async function recreateTable(columnType) {
  await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await client.query(`CREATE TABLE ${TABLE} (id integer PRIMARY KEY, value ${columnType})`);
}

// Finite float32 values from random bits, plus edge values.  -0 is left out:
// toSql writes numbers with JSON.stringify, which prints -0 as 0.
function float32Samples(random, count, byteMask = 0xff) {
  const values = [1, -1, 1.401298464324817e-45, -1.401298464324817e-45, 1.1754943508222875e-38, 3.4028234663852886e38];
  while (values.length < count) {
    let bits = 0;
    for (let byte = 0; byte < 4; byte++) bits = (bits << 8) | (Math.floor(random() * 256) & byteMask);
    const value = float32FromBits(bits);
    if (Number.isFinite(value) && !Object.is(value, -0)) values.push(value);
  }
  return values;
}

// Finite half values as their bit patterns, plus edges (max, smallest subnormal).
function halfSamples(random, count) {
  const bits = [0x3c00, 0xbc00, 0x7bff, 0xfbff, 0x0001, 0x8001, 0x0400];
  while (bits.length < count) {
    const candidate = Math.floor(random() * 65536);
    if ((candidate & 0x7c00) !== 0x7c00 && candidate !== 0x8000) bits.push(candidate);
  }
  return bits;
}

// Text forms print the shortest decimal of the float32; back in float32 it
// must be the very value that was sent.
function assertSameFloat32(actual, expected, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((value, i) => assert.ok(Object.is(Math.fround(value), expected[i]), `${what}[${i}]: ${value} != ${expected[i]}`));
}

async function sendBytes(sendFunction, id) {
  const result = await client.query(`SELECT ${sendFunction}(value) AS bytes FROM ${TABLE} WHERE id = $1`, [id]);
  return result.rows[0].bytes;
}

describe('vector', () => {
  test('text: toSql in, registered parser (fromSql) out', async () => {
    const values = float32Samples(seededRandom(1), 500);
    await recreateTable('vector');
    await client.query(`INSERT INTO ${TABLE} VALUES (1, $1)`, [pgvector.toSql(values)]);
    const result = await client.query(`SELECT value FROM ${TABLE}`);
    assertSameFloat32(result.rows[0].value, values, 'vector read as text');
    assertSameFloat32(pgvector.fromSql((await client.query(`SELECT value::text AS t FROM ${TABLE}`)).rows[0].t), values, 'fromSql');
  });

  test('binary in (Buffer parameter), binary and text out', async () => {
    const values = [-0, ...float32Samples(seededRandom(2), 300)];
    await recreateTable('vector');
    await client.query(`INSERT INTO ${TABLE} VALUES (1, $1)`, [encodeVector(values)]);
    assert.deepEqual(await sendBytes('vector_send', 1), encodeVector(values));
    const text = (await client.query(`SELECT value FROM ${TABLE}`)).rows[0].value;
    assertSameFloat32(text, values, 'vector read as text (-0 keeps its sign)');
  });

  test('binary out through a query with binary: true', async () => {
    // node-postgres turns every result field into a UTF-8 string before it
    // hands binary fields over as a Buffer, so only bytes below 0x80 arrive
    // intact: these values are built from such bytes (all finite), and there
    // are fewer than 128 of them (the dimension is sent too).
    const values = float32Samples(seededRandom(3), 200, 0x7f)
      .filter((v) => encodeVector([v]).every((byte) => byte < 0x80))
      .slice(0, 100);
    await recreateTable('vector(' + values.length + ')');
    await client.query(`INSERT INTO ${TABLE} VALUES (1, $1)`, [pgvector.toSql(values)]);
    const oid = (await client.query("SELECT 'vector'::regtype::oid AS oid")).rows[0].oid;
    const types = {
      getTypeParser: (typeOid, format) =>
        format === 'binary' && typeOid === oid ? decodeVector : pg.types.getTypeParser(typeOid, format),
    };
    // binary: true takes effect only in the extended protocol, which a query
    // with parameters uses.
    const result = await client.query({ text: `SELECT id, value FROM ${TABLE} WHERE id = $1`, values: [1], binary: true, types });
    assert.equal(result.rows[0].id, 1);
    assert.deepEqual(result.rows[0].value, values);
  });

  test('nearest neighbours with toSql parameters', async () => {
    const random = seededRandom(4);
    const rows = Array.from({ length: 100 }, () => Array.from({ length: 3 }, () => Math.floor(random() * 41) - 20));
    const query = [3, -7, 11];
    await recreateTable('vector(3)');
    for (const [i, row] of rows.entries()) {
      await client.query(`INSERT INTO ${TABLE} VALUES ($1, $2)`, [i + 1, pgvector.toSql(row)]);
    }
    const result = await client.query(
      `SELECT id, value, value <-> $1 AS distance FROM ${TABLE} ORDER BY value <-> $1 LIMIT 5`,
      [pgvector.toSql(query)],
    );
    // Integer coordinates: the server's float32 sums are exact.
    const distance = (row) => Math.sqrt(row.reduce((sum, x, i) => sum + (x - query[i]) ** 2, 0));
    const expected = rows.map(distance).sort((a, b) => a - b).slice(0, 5);
    assert.deepEqual(result.rows.map((r) => r.distance), expected);
    for (const row of result.rows) {
      assert.deepEqual(row.value, rows[row.id - 1]);
      assert.equal(row.distance, distance(rows[row.id - 1]));
    }
  });

  test('different dimensions fail with SQLSTATE 22000', async () => {
    await assert.rejects(
      client.query('SELECT $1::vector <-> $2::vector', [pgvector.toSql([1, 2]), pgvector.toSql([1, 2, 3])]),
      (error) => error.code === '22000',
    );
  });
});

describe('halfvec', () => {
  test('text and binary round trips', async (t) => {
    if (!(await typeExists('halfvec'))) return t.skip('the installed extension has no halfvec type yet');
    const bits = halfSamples(seededRandom(5), 300);
    const values = bits.map(halfBitsToNumber);
    await recreateTable('halfvec');
    await client.query(`INSERT INTO ${TABLE} VALUES (1, $1), (2, $2)`, [pgvector.toSql(values), encodeHalfvec(bits)]);
    for (const id of [1, 2]) {
      assert.deepEqual(decodeHalfvecBits(await sendBytes('halfvec_send', id)), bits, `row ${id}: binary out`);
      const text = (await client.query(`SELECT value FROM ${TABLE} WHERE id = $1`, [id])).rows[0].value;
      assertSameFloat32(text, values, `row ${id}: text out`);
    }
  });
});

describe('sparsevec', () => {
  test('text and binary round trips', async (t) => {
    if (!(await typeExists('sparsevec'))) return t.skip('the installed extension has no sparsevec type yet');
    const random = seededRandom(6);
    const dimensions = 100000;
    const indices = [...new Set(Array.from({ length: 60 }, () => Math.floor(random() * dimensions)))].sort((a, b) => a - b);
    const values = float32Samples(random, indices.length + 10).filter((v) => v !== 0).slice(0, indices.length);
    const sparse = new SparseVector(new Map(indices.map((index, i) => [index, values[i]])), dimensions);

    await recreateTable('sparsevec');
    await client.query(`INSERT INTO ${TABLE} VALUES (1, $1), (2, $2)`, [
      pgvector.toSql(sparse),
      encodeSparsevec(dimensions, indices, values),
    ]);
    for (const id of [1, 2]) {
      assert.deepEqual(decodeSparsevec(await sendBytes('sparsevec_send', id)), { dimensions, indices, values }, `row ${id}: binary out`);
      const read = (await client.query(`SELECT value FROM ${TABLE} WHERE id = $1`, [id])).rows[0].value;
      assert.ok(read instanceof SparseVector, `row ${id}: registered parser gives a SparseVector`);
      assert.equal(read.dimensions, dimensions);
      assert.deepEqual(read.indices, indices);
      assertSameFloat32(read.values, values, `row ${id}: text out`);
    }
  });
});

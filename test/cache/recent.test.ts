import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { Recent } from '../../src/cache/recent.ts';

describe('Recent keeps the entries used last', () => {
  test('the least recently used entry goes first; set and use count as uses, get does not', () => {
    const r = new Recent<string, number>(3);
    r.set('a', 1).set('b', 2).set('c', 3);
    assert.equal(r.use('a'), 1);
    assert.equal(r.get('b'), 2);
    r.set('d', 4);
    assert.deepEqual([...r.keys()], ['c', 'a', 'd']);
  });

  test('using the newest entry again and again keeps the order right for the others', () => {
    const r = new Recent<string, number>(2);
    r.set('a', 1).set('b', 2);
    for (let i = 0; i < 3; i++) assert.equal(r.use('b'), 2);
    assert.equal(r.use('a'), 1);
    r.set('c', 3);
    assert.deepEqual([...r.keys()], ['a', 'c']);
  });

  test('an entry deleted while it was the newest, then set again, is the newest', () => {
    const r = new Recent<string, number>(2);
    r.set('a', 1).set('b', 2);
    r.delete('b');
    r.set('c', 3);
    assert.equal(r.use('a'), 1);
    r.set('b', 4);
    assert.deepEqual([...r.keys()], ['a', 'b']);
    r.clear();
    r.set('x', 1).set('y', 2);
    assert.equal(r.use('x'), 1);
    assert.deepEqual([...r.keys()], ['y', 'x']);
  });

  test('with weights, the total stays within the bound and a value heavier than it is not kept', () => {
    const r = new Recent<string, string>(Infinity, { weigh: (v) => v.length, maxWeight: 5 });
    r.set('a', 'xx').set('b', 'yy');
    assert.equal(r.use('a'), 'xx');
    r.set('c', 'zz');
    assert.deepEqual([...r.keys()], ['a', 'c']);
    assert.equal(r.totalWeight, 4);
    r.set('big', 'tooheavy');
    assert.equal(r.has('big'), false);
    assert.ok(r.totalWeight <= 5);
  });
});

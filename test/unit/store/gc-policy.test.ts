import { afterEach, describe, expect, it } from 'vitest';
import {
  SOFT_CEILING_BYTES,
  chooseHeapGrowth,
  heapGrowthPercent,
  releaseHeapGrowth,
} from '../../../src-main/store/gc-policy.js';

describe('heap growth policy', () => {
  afterEach(() => releaseHeapGrowth());

  it("leaves V8's choice while mail arrives and memory is under the soft ceiling", () => {
    chooseHeapGrowth(false, () => SOFT_CEILING_BYTES - 1);
    expect(heapGrowthPercent()).toBe(0);
  });

  it('caps growth while the indexer catches up, and releases it after', () => {
    chooseHeapGrowth(true, () => 0);
    expect(heapGrowthPercent()).toBe(25);
    releaseHeapGrowth();
    expect(heapGrowthPercent()).toBe(0);
  });

  it('caps growth while mail arrives once resident memory passes the soft ceiling', () => {
    chooseHeapGrowth(false, () => SOFT_CEILING_BYTES + 1);
    expect(heapGrowthPercent()).toBe(25);
    chooseHeapGrowth(false, () => SOFT_CEILING_BYTES - 1);
    expect(heapGrowthPercent()).toBe(0);
  });
});

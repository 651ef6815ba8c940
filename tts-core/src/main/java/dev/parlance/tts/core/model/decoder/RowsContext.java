package dev.parlance.tts.core.model.decoder;

import ai.djl.ndarray.index.NDIndex;
import java.util.List;

/**
 * What every layer of one batched step over independent rows shares ({@link
 * ParlerDecoder#stepRows}): the step's sizes and RoPE tables, and each row's cache slices at its
 * own position, built once per step rather than once per layer.
 *
 * @param step batch R, one new position per row, per-row RoPE tables (R,1,1,d_h) or null
 * @param caches the rows' batch-1 caches
 * @param row row r of a (R, ...) tensor
 * @param keysWrite where row r's new key goes in its transposed key cache
 * @param valuesWrite where row r's new value goes in its value cache
 * @param keysRead the filled part of row r's key cache, the new position included
 * @param valuesRead the filled part of row r's value cache, the new position included
 */
record RowsContext(
    StepContext step,
    List<KvCache> caches,
    NDIndex[] row,
    NDIndex[] keysWrite,
    NDIndex[] valuesWrite,
    NDIndex[] keysRead,
    NDIndex[] valuesRead) {

  static RowsContext of(StepContext step, List<KvCache> caches) {
    int r = caches.size();
    NDIndex[] row = new NDIndex[r];
    NDIndex[] keysWrite = new NDIndex[r];
    NDIndex[] valuesWrite = new NDIndex[r];
    NDIndex[] keysRead = new NDIndex[r];
    NDIndex[] valuesRead = new NDIndex[r];
    for (int i = 0; i < r; i++) {
      int s = caches.get(i).length;
      row[i] = new NDIndex().addSliceDim(i, i + 1);
      keysWrite[i] = new NDIndex().addAllDim(3).addSliceDim(s, s + 1);
      valuesWrite[i] = new NDIndex().addAllDim(2).addSliceDim(s, s + 1);
      keysRead[i] = new NDIndex().addAllDim(3).addSliceDim(0, s + 1);
      valuesRead[i] = new NDIndex().addAllDim(2).addSliceDim(0, s + 1);
    }
    return new RowsContext(step, caches, row, keysWrite, valuesWrite, keysRead, valuesRead);
  }
}

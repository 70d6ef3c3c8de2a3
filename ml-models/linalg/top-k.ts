/**
 * Indices of the k largest finite scores, best first. A size-k min-heap with an early
 * threshold test: over a 10k-item catalogue almost every candidate is rejected by a
 * single comparison, which is what makes per-user ranking cheap.
 */
export function topK(scores: Float32Array | Float64Array, k: number, candidates?: Int32Array, candidateCount?: number): Int32Array {
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  const consider = (i: number) => {
    const s = scores[i]!;
    if (!(s > -Infinity)) return; // -Infinity marks excluded items; NaN never ranks
    if (size < k) {
      let pos = size++;
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        if (heapVal[parent]! <= s) break;
        heapVal[pos] = heapVal[parent]!;
        heapIdx[pos] = heapIdx[parent]!;
        pos = parent;
      }
      heapVal[pos] = s;
      heapIdx[pos] = i;
      return;
    }
    if (s <= heapVal[0]!) return;
    let pos = 0;
    for (;;) {
      const left = 2 * pos + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && heapVal[right]! < heapVal[left]! ? right : left;
      if (heapVal[child]! >= s) break;
      heapVal[pos] = heapVal[child]!;
      heapIdx[pos] = heapIdx[child]!;
      pos = child;
    }
    heapVal[pos] = s;
    heapIdx[pos] = i;
  };
  if (candidates) {
    const n = candidateCount ?? candidates.length;
    for (let c = 0; c < n; c++) consider(candidates[c]!);
  } else {
    // The threshold test inline: once the heap is full almost every item stops here.
    const n = scores.length;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      if (size === k && !(s > heapVal[0]!)) continue;
      consider(i);
    }
  }
  const order = Array.from({ length: size }, (_, j) => j);
  // Ties broken by the lower index so results are deterministic (and match ONNX TopK).
  order.sort((a, b) => heapVal[b]! - heapVal[a]! || heapIdx[a]! - heapIdx[b]!);
  return Int32Array.from(order, (j) => heapIdx[j]!);
}

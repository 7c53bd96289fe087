// Plane geometry of the drawn graph: boxes, orthogonal polylines and the checks that the layout is legible (no edge
// through a box it does not connect, no overlapping labels, everything inside the view). Pure: used by the webview,
// its Node unit tests and the workbench suite, which measures the rendered SVG.

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A box shrunk by `by` on every side (negative grows it). */
export function inset(box: Box, by: number): Box {
  return { x: box.x + by, y: box.y + by, width: Math.max(0, box.width - 2 * by), height: Math.max(0, box.height - 2 * by) };
}

/** Whether two boxes share interior area (touching edges do not count). */
export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Whether `inner` lies within `outer`, up to `tolerance` pixels. */
export function boxInside(inner: Box, outer: Box, tolerance = 0.5): boolean {
  return (
    inner.x >= outer.x - tolerance &&
    inner.y >= outer.y - tolerance &&
    inner.x + inner.width <= outer.x + outer.width + tolerance &&
    inner.y + inner.height <= outer.y + outer.height + tolerance
  );
}

/** Whether the segment a-b passes through the interior of the box (Liang–Barsky clipping). */
export function segmentCrossesBox(a: Point, b: Point, box: Box): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const clip = (p: number, q: number): boolean => {
    if (p === 0) return q > 0; // parallel: inside the slab when q > 0 (strictly: on the border is outside)
    const r = q / p;
    if (p < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
    return true;
  };
  if (
    clip(-dx, a.x - box.x) &&
    clip(dx, box.x + box.width - a.x) &&
    clip(-dy, a.y - box.y) &&
    clip(dy, box.y + box.height - a.y)
  ) {
    return t1 - t0 > 1e-9;
  }
  return false;
}

export interface MeasuredEdge {
  id: string;
  /** Ids of the boxes the edge connects (its source and target, or the namespaces of a bundle). */
  connects: string[];
  points: Point[];
}

export interface MeasuredBox {
  id: string;
  box: Box;
}

/**
 * Edges that pass through a node box they do not connect: [edge id, box id]. Boxes are shrunk by `tolerance` so that
 * a line running along a border (or ending on it) is not a crossing.
 */
export function edgesThroughBoxes(edges: readonly MeasuredEdge[], boxes: readonly MeasuredBox[], tolerance = 1): [string, string][] {
  const found: [string, string][] = [];
  for (const edge of edges) {
    for (const { id, box } of boxes) {
      if (edge.connects.includes(id)) continue;
      const inner = inset(box, tolerance);
      for (let i = 0; i + 1 < edge.points.length; i++) {
        if (segmentCrossesBox(edge.points[i], edge.points[i + 1], inner)) {
          found.push([edge.id, id]);
          break;
        }
      }
    }
  }
  return found;
}

/** Pairs of boxes (labels) that overlap by more than `tolerance` pixels on both axes. */
export function overlappingBoxes(boxes: readonly MeasuredBox[], tolerance = 0.5): [string, string][] {
  const found: [string, string][] = [];
  const sorted = [...boxes].sort((a, b) => a.box.x - b.box.x);
  for (let i = 0; i < sorted.length; i++) {
    const a = inset(sorted[i].box, tolerance);
    for (let j = i + 1; j < sorted.length; j++) {
      const b = inset(sorted[j].box, tolerance);
      if (b.x >= a.x + a.width) break;
      if (boxesOverlap(a, b)) found.push([sorted[i].id, sorted[j].id]);
    }
  }
  return found;
}

/** The smallest box holding all the boxes (undefined for none). */
export function bounds(boxes: readonly Box[]): Box | undefined {
  if (boxes.length === 0) return undefined;
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  return { x, y, width: Math.max(...boxes.map((b) => b.x + b.width)) - x, height: Math.max(...boxes.map((b) => b.y + b.height)) - y };
}

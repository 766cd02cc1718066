-- appeal_hex_cell (migration 130) as PL/pgSQL arithmetic. Called from the map rollup trigger, the
-- SQL version was planned afresh on every call: about 0.4 ms a cell, ten cells an appeal, which made
-- every appeal insert — and an import of hundreds of thousands — several milliseconds slower. The
-- expressions and their types are the same, so every point keeps its cell (tests/planning).
CREATE OR REPLACE FUNCTION appeal_hex_cell(size float8, x float8, y float8, OUT i int, OUT j int)
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  q float8 := (2.0 / 3 * x) / size;
  r float8 := (-1.0 / 3 * x + sqrt(3.0) / 3 * y) / size;
  s float8 := -q - r;
  rq float8 := round(q);
  rr float8 := round(r);
  rs float8 := round(s);
  cq float8 := rq;
  cr float8 := rr;
BEGIN
  IF abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN cq := -rr - rs;
  ELSIF abs(rr - r) > abs(rs - s) THEN cr := -rq - rs;
  END IF;
  i := cq::int;
  j := (cr + floor(cq / 2.0))::int;
END $$;

"""A digest of a Dataset's contents, so that the national analyses are computed once per data
set in a process and a copy that was edited (a what-if) gets its own.

Hashing every value costs about 8 ms for the sample, and a report batch asks for it once per
page. So a digest is kept with a deep copy of the tables it was made from (`_MEMO`): tables
whose values lie where the ones digested lay (the same memory, as every shallow copy of a data
set has them: `kompetanse.load` hands out shallow copies of one validated data set) and that
equal the kept copy value for value (`DataFrame.equals`, a tenth of the time of hashing) have
that digest. The comparison, not the memory, is what vouches for the values: a write that goes
around pandas' copy-on-write (into ``Series.values`` of a nullable or categorical column, or
into ``Series.array``) leaves the values where they were and changes them, and is seen.
What it cannot see is a Python object inside an object column changed in place (a list), which
the kept copy shares; the tables the analyses read hold none.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

__all__ = ["content_digest"]

#: Digests already made: (table names) -> [(where the tables' values lay (`_arrays`), deep copies
#: of the tables, digest)], newest last.
_MEMO: dict[tuple, list[tuple[tuple, dict[str, pd.DataFrame], str]]] = {}
_MEMO_SIZE = 4


def _column_bytes(column: pd.Series) -> bytes:
    """A column's values as bytes: raw for numbers and dates, codes and categories for
    categoricals, the UTF-8 text and its offsets for Arrow-backed text, and the text joined for
    anything else (where values are missing is hashed per table)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().tobytes() + repr(column.cat.categories.tolist()).encode()
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufcmM":
        return np.ascontiguousarray(column.to_numpy()).tobytes()
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and getattr(column.dtype, "kind", "O") in "biuf":
        # nullable numbers (Int64, Float64): the values, 0 where missing
        return column.fillna(0).to_numpy(dtype=column.dtype.numpy_dtype).tobytes()
    arrow = getattr(column.array, "__arrow_array__", None)
    if arrow is not None:
        import pyarrow as pa

        text = arrow()
        text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
        if pa.types.is_string(text.type) or pa.types.is_large_string(text.type):
            # the offsets and text of exactly these values (an array may be a slice of a larger one)
            width = np.int64 if pa.types.is_large_string(text.type) else np.int32
            offsets = np.frombuffer(text.buffers()[1], dtype=width)[text.offset:text.offset + len(text) + 1]
            data = text.buffers()[2]
            body = b"" if data is None or not len(offsets) else data.to_pybytes()[offsets[0]:offsets[-1]]
            return (offsets - offsets[0]).astype(np.int64).tobytes() + body
    return "\x1f".join(map(str, column.tolist())).encode("utf-8", "surrogatepass")


def _memory(values) -> tuple:
    """Where an array's values lie in memory: the address, shape and strides of each buffer
    (numpy, masked, Arrow, categorical and datetime arrays), with the type and anything else
    that gives the bytes their meaning (a categorical's categories). Raises `TypeError` for an
    array of another kind."""
    if isinstance(values, np.ndarray):
        return ("np", values.__array_interface__["data"][0], values.shape, values.strides, values.dtype.str)
    if isinstance(values, pd.Categorical):
        return ("cat", _memory(values.codes), tuple(values.categories.tolist()), values.ordered)
    inner = getattr(values, "_pa_array", None)
    if inner is not None:
        return ("arrow", str(values.dtype), tuple(
            (chunk.offset, len(chunk), tuple(b.address if b is not None else 0 for b in chunk.buffers()))
            for chunk in inner.chunks))
    data, mask = getattr(values, "_data", None), getattr(values, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray):  # Int64, Float64, boolean
        return ("masked", str(values.dtype), _memory(data), _memory(mask))
    inner = getattr(values, "_ndarray", None)
    if isinstance(inner, np.ndarray):  # datetimes, timedeltas, numpy-backed extension arrays
        return ("ndarray", str(values.dtype), _memory(inner))
    raise TypeError(f"no known memory layout for {type(values).__name__}")


def _arrays(frame: pd.DataFrame) -> tuple | None:
    """What makes ``frame`` the same data as another frame without reading a value: its
    columns, types and shape, and where each block of values lies in memory with the columns it
    holds; None where pandas' internals are not as expected (the data is then always hashed)."""
    try:
        return (tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)), frame.shape,
                tuple((_memory(b.values), b.mgr_locs.as_array.tobytes()) for b in frame._mgr.blocks))
    except (AttributeError, TypeError):
        return None


def content_digest(ds, tables) -> str:
    """A digest of the tables the national analyses read (every value, column name and type):
    the same for the same data whatever object holds it, different after any edit, in place or
    not. About 8 ms for the sample the first time (`pandas.util.hash_pandas_object`: 24 ms);
    under a millisecond for tables that lie where tables already digested lay and equal them
    (the module's docstring says why that is safe)."""
    names = tuple(tables)
    frames = {name: getattr(ds, name) for name in names}
    kept = _MEMO.setdefault(names, [])
    places = tuple(_arrays(frames[name]) for name in names)
    if None in places:  # pandas' internals are not as expected: always hashed
        return _digest(frames)
    for where, copies, digest in reversed(kept):
        if where == places and all(frames[name].equals(copies[name]) for name in names):
            return digest
    digest = _digest(frames)
    kept.append((places, {name: frame.copy(deep=True) for name, frame in frames.items()}, digest))
    del kept[:-_MEMO_SIZE]
    return digest


def _digest(frames: dict[str, pd.DataFrame]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for name, frame in frames.items():
        h.update(repr((name, frame.shape, [(str(c), str(t)) for c, t in frame.dtypes.items()])).encode())
        h.update(np.packbits(frame.isna().to_numpy()).tobytes())
        for _, column in frame.items():
            h.update(_column_bytes(column))
    return h.hexdigest()

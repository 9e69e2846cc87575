//! searcher-accel: the two hot loops of searcher's Arabic analysis, run natively.
//!
//! Both loops walk a text's runs of token characters and look each run up in the analyzer's
//! Python word cache (a dict whose `__missing__` analyses a new word in Python).  Nothing of
//! the analysis itself lives here: which characters make a token arrives as data (code-point
//! ranges computed in Python from the analyzer's own regex), and what a word means is whatever
//! the Python cache returns.  `searcher/arabic/walk.py` holds the pure-Python loops that give
//! the same output, and a parity test runs both.
//!
//! The text is read in place (CPython's compact 1-, 2- or 4-byte representation), so offsets
//! are code-point offsets, as Python's are.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

/// Which code points belong to a token: one bit per code point.
struct TokenClass {
    bits: Vec<u64>,
}

impl TokenClass {
    fn from_ranges(ranges: &[(u32, u32)]) -> PyResult<Self> {
        let mut bits = vec![0u64; (0x110000 / 64) + 1];
        for &(lo, hi) in ranges {
            if lo > hi || hi > 0x10FFFF {
                return Err(PyValueError::new_err(format!(
                    "bad code-point range {lo}..={hi}"
                )));
            }
            for cp in lo..=hi {
                bits[(cp >> 6) as usize] |= 1u64 << (cp & 63);
            }
        }
        Ok(TokenClass { bits })
    }

    #[inline(always)]
    fn has(&self, cp: u32) -> bool {
        match self.bits.get((cp >> 6) as usize) {
            Some(word) => (word >> (cp & 63)) & 1 == 1,
            None => false,
        }
    }
}

/// Calls `visit(start, end)` for every maximal run of class characters in `units`.
#[inline(always)]
fn each_run<T: Copy + Into<u32>>(
    units: &[T],
    class: &TokenClass,
    mut visit: impl FnMut(usize, usize) -> PyResult<()>,
) -> PyResult<()> {
    let mut i = 0;
    let n = units.len();
    while i < n {
        if class.has(units[i].into()) {
            let start = i;
            i += 1;
            while i < n && class.has(units[i].into()) {
                i += 1;
            }
            visit(start, i)?;
        }
        i += 1;
    }
    Ok(())
}

/// `each_run` over a Python str, whatever its internal width.
fn runs_of(
    text: &Bound<'_, PyString>,
    class: &TokenClass,
    visit: impl FnMut(usize, usize) -> PyResult<()>,
) -> PyResult<()> {
    let op = text.as_ptr();
    // SAFETY: `text` is a live str (held by the caller for the whole walk, and immutable); a
    // compact str's data holds GET_LENGTH units of KIND bytes each.
    unsafe {
        let length = ffi::PyUnicode_GET_LENGTH(op) as usize;
        let data = ffi::PyUnicode_DATA(op);
        match ffi::PyUnicode_KIND(op) {
            ffi::PyUnicode_1BYTE_KIND => each_run(
                std::slice::from_raw_parts(data as *const u8, length),
                class,
                visit,
            ),
            ffi::PyUnicode_2BYTE_KIND => each_run(
                std::slice::from_raw_parts(data as *const u16, length),
                class,
                visit,
            ),
            ffi::PyUnicode_4BYTE_KIND => each_run(
                std::slice::from_raw_parts(data as *const u32, length),
                class,
                visit,
            ),
            kind => Err(PyValueError::new_err(format!("unexpected str kind {kind}"))),
        }
    }
}

/// The walks over one analyzer's word cache.
#[pyclass(frozen, module = "searcher_accel")]
struct Walker {
    class: TokenClass,
    /// piece -> word tuple; `cache[piece]` analyses a missing piece (`__missing__`).
    cache: Py<PyAny>,
    fields: Fields,
}

/// Positions of the fields a walk reads in the word tuple, by name.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Fields {
    exact: usize,
    stemmed: usize,
    stacked: usize,
    spans: usize,
    exact_text: usize,
    indexed_text: usize,
}

impl Walker {
    /// The word tuple for `text[start:end]`: from the cache, or analysed by Python on a miss.
    fn word<'py>(
        &self,
        text: &Bound<'py, PyString>,
        start: usize,
        end: usize,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = text.py();
        let cache = self.cache.bind(py);
        // SAFETY: plain C-API calls on live objects; every returned pointer is checked, and
        // owned and borrowed references are wrapped accordingly.
        let word = unsafe {
            let key = ffi::PyUnicode_Substring(text.as_ptr(), start as isize, end as isize);
            let key = Bound::from_owned_ptr_or_err(py, key)?;
            let found = ffi::PyDict_GetItemWithError(cache.as_ptr(), key.as_ptr());
            if !found.is_null() {
                Bound::from_borrowed_ptr(py, found)
            } else if let Some(error) = PyErr::take(py) {
                return Err(error);
            } else {
                cache.get_item(&key)? // a miss: the cache's __missing__ analyses the piece
            }
        };
        word.cast_into::<PyTuple>()
            .map_err(|_| PyTypeError::new_err("the word cache must hold tuples"))
    }
}

#[pymethods]
impl Walker {
    #[new]
    fn new(ranges: Vec<(u32, u32)>, cache: Py<PyAny>, fields: Fields) -> PyResult<Self> {
        Ok(Walker {
            class: TokenClass::from_ranges(&ranges)?,
            cache,
            fields,
        })
    }

    /// (stemmed terms, exact terms) of `text`, each joined by single spaces, empties skipped.
    fn joined<'py>(
        &self,
        text: &Bound<'py, PyString>,
    ) -> PyResult<(Bound<'py, PyString>, Bound<'py, PyString>)> {
        let py = text.py();
        let stemmed = PyList::empty(py);
        let exact = PyList::empty(py);
        runs_of(text, &self.class, |start, end| {
            let word = self.word(text, start, end)?;
            for (field, out) in [
                (self.fields.indexed_text, &stemmed),
                (self.fields.exact_text, &exact),
            ] {
                let terms = word.get_item(field)?;
                if terms.len()? > 0 {
                    out.append(terms)?;
                }
            }
            Ok(())
        })?;
        let space = PyString::new(py, " ");
        let join = |terms: Bound<'py, PyList>| -> PyResult<Bound<'py, PyString>> {
            Ok(space
                .call_method1("join", (terms,))?
                .cast_into::<PyString>()?)
        };
        Ok((join(stemmed)?, join(exact)?))
    }

    /// Spans ``(start, end)`` of the words one of whose terms is wanted: its stemmed or stacked
    /// term in `stemmed_terms`, or its exact term in `exact_terms`.  In text order, each once.
    fn spans<'py>(
        &self,
        text: &Bound<'py, PyString>,
        stemmed_terms: &Bound<'py, PyAny>,
        exact_terms: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let py = text.py();
        let found = PyList::empty(py);
        let mut last: Option<(usize, usize)> = None;
        runs_of(text, &self.class, |start, end| {
            let word = self.word(text, start, end)?;
            let exact = word.get_item(self.fields.exact)?.cast_into::<PyTuple>()?;
            let stemmed = word.get_item(self.fields.stemmed)?.cast_into::<PyTuple>()?;
            let stacked = word.get_item(self.fields.stacked)?.cast_into::<PyTuple>()?;
            let spans = word.get_item(self.fields.spans)?.cast_into::<PyTuple>()?;
            for i in 0..exact.len() {
                let stacked_term = stacked.get_item(i)?;
                let hit = stemmed_terms.contains(stemmed.get_item(i)?)?
                    || exact_terms.contains(exact.get_item(i)?)?
                    || (!stacked_term.is_none() && stemmed_terms.contains(stacked_term)?);
                if hit {
                    let (s, e): (usize, usize) = spans.get_item(i)?.extract()?;
                    let span = (start + s, start + e);
                    if last != Some(span) {
                        found.append(span)?;
                        last = Some(span);
                    }
                }
            }
            Ok(())
        })?;
        Ok(found)
    }
}

#[pymodule]
fn searcher_accel(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Walker>()?;
    Ok(())
}

//! The signature table of PromQL functions: argument types, how many optional or repeated
//! arguments a function takes, its result type, and whether Prometheus marks it experimental.
//!
//! The parser checks calls against this table; the engine looks functions up by the same names.
//! It deliberately holds no evaluation code. The list follows Prometheus 3.x's function
//! documentation; `holt_winters` is kept as the 2.x name of `double_exponential_smoothing` so that
//! older queries still parse. Experimental functions are accepted (argus has no feature flags
//! for them); `experimental` lets callers warn about them.

use super::ast::ValueType;

/// One function's signature.
#[derive(Debug, PartialEq, Eq)]
pub struct FunctionSig {
    pub name: &'static str,
    /// Types of the arguments in order. With `variadic != 0` the last entry is the type of the
    /// optional or repeated arguments.
    pub arg_types: &'static [ValueType],
    /// 0: exactly `arg_types.len()` arguments. n > 0: the last argument type may appear up to n
    /// times (including zero times). -1: the last argument type may repeat without limit (also
    /// zero times).
    pub variadic: i32,
    pub return_type: ValueType,
    pub experimental: bool,
}

impl FunctionSig {
    /// The fewest arguments a call needs.
    pub fn min_args(&self) -> usize {
        if self.variadic == 0 {
            self.arg_types.len()
        } else {
            self.arg_types.len().saturating_sub(1)
        }
    }

    /// The most arguments a call may have (`None`: unlimited).
    pub fn max_args(&self) -> Option<usize> {
        match self.variadic {
            0 => Some(self.arg_types.len()),
            n if n > 0 => Some(self.min_args() + n as usize),
            _ => None,
        }
    }

    /// The expected type of argument `i` (0-based), repeating the last type for variadics.
    pub fn arg_type(&self, i: usize) -> Option<ValueType> {
        self.arg_types
            .get(i)
            .or_else(|| {
                if self.variadic != 0 {
                    self.arg_types.last()
                } else {
                    None
                }
            })
            .copied()
    }
}

use ValueType::{Matrix as M, Scalar as S, String as Str, Vector as V};

const fn f(
    name: &'static str,
    arg_types: &'static [ValueType],
    variadic: i32,
    return_type: ValueType,
) -> FunctionSig {
    FunctionSig {
        name,
        arg_types,
        variadic,
        return_type,
        experimental: false,
    }
}

const fn x(
    name: &'static str,
    arg_types: &'static [ValueType],
    variadic: i32,
    return_type: ValueType,
) -> FunctionSig {
    FunctionSig {
        name,
        arg_types,
        variadic,
        return_type,
        experimental: true,
    }
}

/// Every PromQL function, sorted by name.
pub static FUNCTIONS: &[FunctionSig] = &[
    f("abs", &[V], 0, V),
    f("absent", &[V], 0, V),
    f("absent_over_time", &[M], 0, V),
    f("acos", &[V], 0, V),
    f("acosh", &[V], 0, V),
    f("asin", &[V], 0, V),
    f("asinh", &[V], 0, V),
    f("atan", &[V], 0, V),
    f("atanh", &[V], 0, V),
    f("avg_over_time", &[M], 0, V),
    f("ceil", &[V], 0, V),
    f("changes", &[M], 0, V),
    f("clamp", &[V, S, S], 0, V),
    f("clamp_max", &[V, S], 0, V),
    f("clamp_min", &[V, S], 0, V),
    f("cos", &[V], 0, V),
    f("cosh", &[V], 0, V),
    f("count_over_time", &[M], 0, V),
    f("day_of_month", &[V], 1, V),
    f("day_of_week", &[V], 1, V),
    f("day_of_year", &[V], 1, V),
    f("days_in_month", &[V], 1, V),
    f("deg", &[V], 0, V),
    f("delta", &[M], 0, V),
    f("deriv", &[M], 0, V),
    x("double_exponential_smoothing", &[M, S, S], 0, V),
    // The query's bounds and step in seconds (experimental, with duration expressions).
    x("end", &[], 0, S),
    f("exp", &[V], 0, V),
    x("first_over_time", &[M], 0, V),
    f("floor", &[V], 0, V),
    f("histogram_avg", &[V], 0, V),
    f("histogram_count", &[V], 0, V),
    f("histogram_fraction", &[S, S, V], 0, V),
    f("histogram_quantile", &[S, V], 0, V),
    x("histogram_quantiles", &[V, Str, S, S], -1, V),
    f("histogram_stddev", &[V], 0, V),
    f("histogram_stdvar", &[V], 0, V),
    f("histogram_sum", &[V], 0, V),
    // The 2.x name of double_exponential_smoothing, removed in 3.0; kept so old queries parse.
    f("holt_winters", &[M, S, S], 0, V),
    f("hour", &[V], 1, V),
    f("idelta", &[M], 0, V),
    f("increase", &[M], 0, V),
    x("info", &[V, V], 1, V),
    f("irate", &[M], 0, V),
    f("label_join", &[V, Str, Str, Str], -1, V),
    f("label_replace", &[V, Str, Str, Str, Str], 0, V),
    f("last_over_time", &[M], 0, V),
    f("ln", &[V], 0, V),
    f("log10", &[V], 0, V),
    f("log2", &[V], 0, V),
    x("mad_over_time", &[M], 0, V),
    x("max_of", &[S, S], 0, S),
    f("max_over_time", &[M], 0, V),
    x("min_of", &[S, S], 0, S),
    f("min_over_time", &[M], 0, V),
    f("minute", &[V], 1, V),
    f("month", &[V], 1, V),
    f("pi", &[], 0, S),
    f("predict_linear", &[M, S], 0, V),
    f("present_over_time", &[M], 0, V),
    f("quantile_over_time", &[S, M], 0, V),
    f("rad", &[V], 0, V),
    x("range", &[], 0, S),
    f("rate", &[M], 0, V),
    f("resets", &[M], 0, V),
    f("round", &[V, S], 1, V),
    f("scalar", &[V], 0, S),
    f("sgn", &[V], 0, V),
    f("sin", &[V], 0, V),
    f("sinh", &[V], 0, V),
    f("sort", &[V], 0, V),
    x("sort_by_label", &[V, Str], -1, V),
    x("sort_by_label_desc", &[V, Str], -1, V),
    f("sort_desc", &[V], 0, V),
    f("sqrt", &[V], 0, V),
    x("start", &[], 0, S),
    x("start_timestamp", &[V], 0, V),
    f("stddev_over_time", &[M], 0, V),
    f("stdvar_over_time", &[M], 0, V),
    x("step", &[], 0, S),
    f("sum_over_time", &[M], 0, V),
    f("tan", &[V], 0, V),
    f("tanh", &[V], 0, V),
    f("time", &[], 0, S),
    f("timestamp", &[V], 0, V),
    x("ts_of_first_over_time", &[M], 0, V),
    x("ts_of_last_over_time", &[M], 0, V),
    x("ts_of_max_over_time", &[M], 0, V),
    x("ts_of_min_over_time", &[M], 0, V),
    f("vector", &[S], 0, V),
    f("year", &[V], 1, V),
];

/// Looks a function up by its exact (case-sensitive) name.
pub fn lookup(name: &str) -> Option<&'static FunctionSig> {
    FUNCTIONS
        .binary_search_by(|s| s.name.cmp(name))
        .ok()
        .map(|i| &FUNCTIONS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        for w in FUNCTIONS.windows(2) {
            assert!(w[0].name < w[1].name, "{} before {}", w[0].name, w[1].name);
        }
        for name in ["rate", "holt_winters", "label_join", "pi", "year", "info"] {
            assert!(lookup(name).is_some(), "{name}");
        }
        assert!(lookup("Rate").is_none());
        assert!(lookup("double_exponential_smoothing").unwrap().experimental);
    }

    #[test]
    fn arities() {
        let round = lookup("round").unwrap();
        assert_eq!((round.min_args(), round.max_args()), (1, Some(2)));
        let lj = lookup("label_join").unwrap();
        assert_eq!((lj.min_args(), lj.max_args()), (3, None));
        assert_eq!(lj.arg_type(7), Some(ValueType::String));
        let year = lookup("year").unwrap();
        assert_eq!((year.min_args(), year.max_args()), (0, Some(1)));
        assert_eq!(lookup("time").unwrap().arg_type(0), None);
    }
}

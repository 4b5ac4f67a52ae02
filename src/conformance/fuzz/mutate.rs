//! A small mutation engine for the in-tree fuzzer: it turns seed inputs into new inputs by the
//! edits that find parser bugs in practice (bit flips, interesting bytes, tokens from a
//! dictionary, deletions, duplications, splices of two seeds, long repetitions that probe
//! nesting and length limits, truncation).
//!
//! It is blind (no coverage feedback): coverage-guided fuzzing is libFuzzer's job
//! (`scripts/fuzz --libfuzzer`). What it gives is a fast, dependency-free and deterministic
//! stream of inputs, so that the test suite can run every target over thousands of inputs from
//! a fixed seed and a failure can be repeated from that seed alone.

/// A xorshift generator: deterministic from its seed, so a failing run is repeatable.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // xorshift never leaves zero; any other start is fine.
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Bytes that sit on the boundaries of every grammar argus parses: brackets, quotes, escapes,
/// operators, separators, digits, a multi-byte character's pieces, NUL and 0xFF.
const INTERESTING_BYTES: &[u8] =
    b"(){}[]\"'`\\|=!~<>+-*/%^,.:;@#$ \t\n\r0123456789eE_xX\0\xff\xc3\xa9";

/// Produces new inputs from seeds.
pub struct Mutator {
    rng: Rng,
    /// Tokens of the target's language (keywords, operators, function names), inserted whole.
    dictionary: Vec<Vec<u8>>,
    /// The longest input it produces; bigger inputs only slow the run down.
    max_len: usize,
}

impl Mutator {
    pub fn new(seed: u64, dictionary: Vec<Vec<u8>>, max_len: usize) -> Mutator {
        Mutator {
            rng: Rng::new(seed),
            dictionary,
            max_len,
        }
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A new input: a random seed with one to eight edits.
    pub fn next_input(&mut self, seeds: &[Vec<u8>]) -> Vec<u8> {
        let mut data = if seeds.is_empty() {
            Vec::new()
        } else {
            seeds[self.rng.below(seeds.len())].clone()
        };
        let edits = 1 + self.rng.below(8);
        for _ in 0..edits {
            self.edit(&mut data, seeds);
        }
        data.truncate(self.max_len);
        data
    }

    fn edit(&mut self, data: &mut Vec<u8>, seeds: &[Vec<u8>]) {
        match self.rng.below(10) {
            0 => self.flip_bit(data),
            1 | 2 => self.set_interesting_byte(data),
            3 | 4 => self.insert_token(data),
            5 => self.delete_range(data),
            6 => self.duplicate_range(data),
            7 => self.splice(data, seeds),
            8 => self.repeat(data),
            _ => {
                let cut = self.rng.below(data.len() + 1);
                data.truncate(cut);
            }
        }
    }

    fn flip_bit(&mut self, data: &mut [u8]) {
        if !data.is_empty() {
            let i = self.rng.below(data.len());
            data[i] ^= 1 << self.rng.below(8);
        }
    }

    fn set_interesting_byte(&mut self, data: &mut Vec<u8>) {
        let b = INTERESTING_BYTES[self.rng.below(INTERESTING_BYTES.len())];
        let at = self.rng.below(data.len() + 1);
        if at < data.len() && self.rng.one_in(2) {
            data[at] = b;
        } else {
            data.insert(at, b);
        }
    }

    fn insert_token(&mut self, data: &mut Vec<u8>) {
        if self.dictionary.is_empty() {
            return self.set_interesting_byte(data);
        }
        let token = self.dictionary[self.rng.below(self.dictionary.len())].clone();
        let at = self.rng.below(data.len() + 1);
        data.splice(at..at, token);
    }

    fn range(&mut self, len: usize) -> (usize, usize) {
        let start = self.rng.below(len + 1);
        let end = start + self.rng.below(len - start + 1).min(64);
        (start, end)
    }

    fn delete_range(&mut self, data: &mut Vec<u8>) {
        let (a, b) = self.range(data.len());
        data.drain(a..b);
    }

    fn duplicate_range(&mut self, data: &mut Vec<u8>) {
        let (a, b) = self.range(data.len());
        let piece = data[a..b].to_vec();
        data.splice(b..b, piece);
    }

    /// The start of this input followed by the end of another: grammars' valid pieces in new
    /// places.
    fn splice(&mut self, data: &mut Vec<u8>, seeds: &[Vec<u8>]) {
        if seeds.is_empty() {
            return;
        }
        let other = &seeds[self.rng.below(seeds.len())];
        let cut_here = self.rng.below(data.len() + 1);
        let cut_there = self.rng.below(other.len() + 1);
        data.truncate(cut_here);
        data.extend_from_slice(&other[cut_there..]);
    }

    /// A short piece repeated hundreds or thousands of times: nesting depth (`((((`), long
    /// chains (`+1+1+1`), long names and numbers. Parsers that recurse per repetition or do
    /// quadratic work show themselves here.
    fn repeat(&mut self, data: &mut Vec<u8>) {
        let (a, b) = self.range(data.len());
        let piece: Vec<u8> = if b > a && b - a <= 8 {
            data[a..b].to_vec()
        } else {
            vec![INTERESTING_BYTES[self.rng.below(INTERESTING_BYTES.len())]]
        };
        let times = [10, 100, 1_000, 5_000][self.rng.below(4)];
        let mut long = Vec::with_capacity(piece.len() * times);
        for _ in 0..times {
            long.extend_from_slice(&piece);
        }
        data.splice(b..b, long);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let seeds = vec![b"sum(rate(x[5m]))".to_vec(), b"up".to_vec()];
        let dict = vec![b"by".to_vec(), b"offset".to_vec()];
        let mut a = Mutator::new(7, dict.clone(), 4096);
        let mut b = Mutator::new(7, dict, 4096);
        for _ in 0..1000 {
            assert_eq!(a.next_input(&seeds), b.next_input(&seeds));
        }
    }

    #[test]
    fn inputs_vary_and_stay_within_the_length_limit() {
        let seeds = vec![b"{a=\"b\"} |= \"x\"".to_vec()];
        let mut m = Mutator::new(1, vec![], 300);
        let inputs: std::collections::HashSet<Vec<u8>> =
            (0..2000).map(|_| m.next_input(&seeds)).collect();
        assert!(inputs.len() > 1000, "only {} distinct inputs", inputs.len());
        assert!(inputs.iter().all(|i| i.len() <= 300));
        assert!(
            inputs.iter().any(|i| i.len() >= 200),
            "repetition makes long inputs"
        );
    }

    #[test]
    fn no_seeds_still_produce_inputs() {
        let mut m = Mutator::new(3, vec![b"(".to_vec()], 100);
        for _ in 0..100 {
            let _ = m.next_input(&[]);
        }
    }
}

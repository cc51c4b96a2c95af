//! Display units chosen from the data: a chart states its volumes in the
//! unit (t, kt, Mt, ...; or the scenario's unit with an SI prefix) in which
//! its largest value reads between 1 and 1000, one unit per chart, named in
//! the axis title, so that no tick reads "0.00020 Mt".

/// Prefixes by power of a thousand, from 10⁻⁹ to 10¹².
const PREFIXES: [(i32, &str); 8] = [
    (-3, "n"),
    (-2, "µ"),
    (-1, "m"),
    (0, ""),
    (1, "k"),
    (2, "M"),
    (3, "G"),
    (4, "T"),
];

/// Base units that take an SI prefix on their own (a tonne becomes kt, Mt).
const BASES: [&str; 7] = ["t", "Wh", "J", "m³", "m3", "g", "W"];

/// The unit a chart shows its volumes in, and the factor from the
/// scenario's unit to it.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplayUnit {
    /// Name for axis titles and value labels ("kt", "10⁻³ bcm").
    pub name: String,
    /// Displayed value = scenario value × `factor`.
    pub factor: f64,
}

impl DisplayUnit {
    /// The scenario's unit unchanged.
    pub fn same(unit: &str) -> DisplayUnit {
        DisplayUnit {
            name: unit.to_string(),
            factor: 1.0,
        }
    }

    /// The unit in which `largest` (in the scenario's `unit`) reads between 1
    /// and 1000. A prefixed unit of tonnes, watt-hours, joules, cubic metres,
    /// grams or watts moves to another prefix (t, kt, Mt, Gt; never below the
    /// base unit for tonnes); any other unit keeps its name behind a power of
    /// ten ("10⁻³ bcm"). A largest value of 0 (or not finite) keeps the unit.
    pub fn for_values(unit: &str, largest: f64) -> DisplayUnit {
        let largest = largest.abs();
        if largest == 0.0 || !largest.is_finite() {
            return DisplayUnit::same(unit);
        }
        // Powers of a thousand between the scenario unit and the display unit.
        let shift = (largest.log10() / 3.0).floor() as i32;
        if shift == 0 {
            return DisplayUnit::same(unit);
        }
        if let Some((power, base)) = split_prefix(unit) {
            // Tonnes have no smaller unit in use than the tonne.
            let lowest = if base == "t" { 0 } else { -3 };
            let target = (power + shift).clamp(lowest, 4);
            if target == power {
                return DisplayUnit::same(unit);
            }
            let prefix = PREFIXES
                .iter()
                .find(|(p, _)| *p == target)
                .map_or("", |(_, s)| *s);
            return DisplayUnit {
                name: format!("{prefix}{base}"),
                factor: 1000f64.powi(power - target),
            };
        }
        let exponent = 3 * shift;
        DisplayUnit {
            name: format!("{} {unit}", power_of_ten(exponent)),
            factor: 10f64.powi(-exponent),
        }
    }

    /// A value in the scenario's unit, in this unit.
    pub fn of(&self, v: f64) -> f64 {
        v * self.factor
    }
}

/// "kt" → (1, "t"); "TWh" → (4, "Wh"); "bcm" → None.
fn split_prefix(unit: &str) -> Option<(i32, &str)> {
    // The longest prefix first: "" last, so "t" itself is (0, "t").
    PREFIXES
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .chain(PREFIXES.iter().filter(|(_, p)| p.is_empty()))
        .find_map(|(power, prefix)| {
            let base = unit.strip_prefix(prefix)?;
            BASES.contains(&base).then_some((*power, base))
        })
}

/// "10⁻³", "10⁶".
fn power_of_ten(exponent: i32) -> String {
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::from("10");
    if exponent < 0 {
        s.push('⁻');
    }
    for d in exponent.unsigned_abs().to_string().bytes() {
        s.push(SUP[usize::from(d - b'0')]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(u: &str, v: f64) -> (String, f64) {
        let d = DisplayUnit::for_values(u, v);
        (d.name, d.factor)
    }

    #[test]
    fn tonnes_move_between_t_kt_and_mt() {
        assert_eq!(unit("Mt", 6.5), ("Mt".into(), 1.0));
        assert_eq!(unit("Mt", 0.0002), ("t".into(), 1e6));
        assert_eq!(unit("Mt", 0.02), ("kt".into(), 1e3));
        assert_eq!(unit("Mt", 0.999), ("kt".into(), 1e3));
        assert_eq!(unit("Mt", 1.0), ("Mt".into(), 1.0));
        assert_eq!(unit("Mt", 2500.0), ("Gt".into(), 1e-3));
        assert_eq!(unit("t", 0.001), ("t".into(), 1.0), "no milli-tonnes");
        assert_eq!(unit("kt", 12_000.0), ("Mt".into(), 1e-3));
        assert_eq!(unit("Mt", 0.0), ("Mt".into(), 1.0));
    }

    #[test]
    fn other_units_take_a_prefix_or_a_power_of_ten() {
        assert_eq!(unit("TWh", 0.05), ("GWh".into(), 1e3));
        assert_eq!(unit("bcm", 0.004), ("10⁻³ bcm".into(), 1e3));
        assert_eq!(unit("bcm", 4.0), ("bcm".into(), 1.0));
        assert_eq!(unit("MMBtu", 4.0e6), ("10⁶ MMBtu".into(), 1e-6));
    }
}

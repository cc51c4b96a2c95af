//! The compiled model the engine consumes: per-step arrays, samplers and
//! indices, built once from a validated [`Scenario`]. Nothing here is
//! re-checked during a trial.

use chrono::{Datelike, Duration, Months, NaiveDate};
use sha2::{Digest, Sha256};

use super::streams::StreamNames;
pub use super::streams::{stream_key, sub_stream_key};
use super::validate::{
    self, DemandBase, InitialState, Input, LevelPath, Occurrence, OutageSpec, Scenario, Step,
};
use crate::dist::{MeanDurations, Sampler, days_to_steps, delay_steps};

/// An alternating up/down process in whole steps.
#[derive(Debug, Clone)]
pub struct OutageModel {
    /// Per-step failure probability `1 - exp(-rate / steps_per_year)`.
    pub p_fail: f64,
    /// `steps_per_year / rate`: an up period is `1 + floor(E × this)` steps
    /// with `E ~ Exp(1)`, which is geometric on {1, 2, ...} with `p_fail`.
    pub up_scale: f64,
    /// Duration of an outage, in days.
    pub duration_days: Sampler,
    /// Fraction lost per outage (clamped to [0, 1] when drawn).
    pub loss: Sampler,
    /// Probability that the process starts in an outage.
    pub p_start_down: f64,
    /// Its random streams.
    pub keys: OutageKeys,
}

/// The stream keys of an outage process, one per random quantity
/// ([`sub_stream_key`]), so that changing how one is drawn moves none of
/// the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutageKeys {
    /// `<id>/up`: whether it starts down (one uniform, for a stationary
    /// start), then one `Exp(1)` per up period.
    pub up: u64,
    /// `<id>/duration`: one duration per outage.
    pub duration: u64,
    /// `<id>/loss`: one lost fraction per outage.
    pub loss: u64,
}

/// A compiled supplier.
#[derive(Debug, Clone)]
pub struct SupplierModel {
    /// Id (for reports).
    pub id: String,
    /// Display name (for reports).
    pub name: String,
    /// Volume to this market in normal operation, unit/yr, as given (for
    /// reports); `None` when it is drawn per trial.
    pub volume: Option<f64>,
    /// Plant nameplate capacity, unit/yr, if given (for reports).
    pub capacity: Option<f64>,
    /// `volume / steps_per_year`: the per-step volume before the profile
    /// multiplier (0 when the volume is drawn: the trial sets it).
    pub volume_per_step: f64,
    /// Index into [`Model::shapes`].
    pub shape: usize,
    /// Transit delay in whole steps (0 when drawn: the trial sets it).
    pub transit: usize,
    /// Outage process, if any (and with a positive rate).
    pub outage: Option<OutageModel>,
    /// Its row of per-step loss fractions at source, kept for the
    /// substitutes that name it as their `source`; `None` when none does.
    pub source_row: Option<usize>,
}

/// What makes a substitute deliver, as the engine sees it; the step loop
/// takes the substitutes in these three groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Ordered when supply is lost at source.
    Loss,
    /// Ordered when storage falls below the substitute's target.
    Storage,
    /// Drawn at once when storage hits its floor (emergency cover).
    Shortfall,
}

impl Trigger {
    /// The three triggers, in the order of [`Model::subs_by_trigger`].
    pub const ALL: [Trigger; 3] = [Trigger::Loss, Trigger::Storage, Trigger::Shortfall];

    fn of(spec: validate::Trigger) -> Trigger {
        match spec {
            validate::Trigger::Loss => Trigger::Loss,
            validate::Trigger::Storage => Trigger::Storage,
            validate::Trigger::Shortfall => Trigger::Shortfall,
        }
    }
}

/// A compiled substitute.
#[derive(Debug, Clone)]
pub struct SubstituteModel {
    /// Id (for reports).
    pub id: String,
    /// Capacity per step, `capacity / steps_per_year` (the trial sets it
    /// when drawn).
    pub capacity_per_step: f64,
    /// Lead time in whole steps (the trial sets it when drawn).
    pub lead: usize,
    /// The supplier whose loss at source scales its capacity, if any.
    pub source: Option<usize>,
    /// What makes it deliver.
    pub trigger: Trigger,
    /// Start of its target level per step in [`Model::targets`] (storage
    /// trigger; 0 otherwise).
    pub target: usize,
    /// Its target level when it is the same at every step (the engine then
    /// need not read [`Model::targets`]).
    pub target_constant: Option<f64>,
    /// Budget over the horizon (infinite when not given; the trial sets it
    /// when drawn).
    pub budget: f64,
    /// Cost per unit delivered (the trial sets it when drawn).
    pub cost: f64,
    /// Outage process, if any.
    pub outage: Option<OutageModel>,
    /// Whether its availability can ever drop below 1 (outage, events or a
    /// `source` supplier's losses).
    pub can_fail: bool,
}

/// The field a drawn input sets, with the index of its supplier or substitute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputField {
    /// A supplier's `volume` (unit/yr).
    SupplierVolume(usize),
    /// A supplier's `transit_days`.
    SupplierTransit(usize),
    /// A substitute's `capacity` (unit/yr).
    SubstituteCapacity(usize),
    /// A substitute's `lead_days`.
    SubstituteLead(usize),
    /// A substitute's `volume` (budget, unit).
    SubstituteBudget(usize),
    /// A substitute's `cost` (currency per unit).
    SubstituteCost(usize),
}

/// An input drawn once per trial (SCENARIO.md, "Uncertain inputs").
#[derive(Debug, Clone)]
pub struct InputModel {
    /// Its column name, `supplier.<id>.<field>` or `substitute.<id>.<field>`.
    pub name: String,
    /// Stream key: the stable hash of the column name, so that every
    /// (entity, field) has a stream of its own.
    pub key: u64,
    /// Its distribution.
    pub sampler: Sampler,
    /// What it sets.
    pub field: InputField,
}

/// How many times an event occurs in a trial.
#[derive(Debug, Clone)]
pub enum EventCount {
    /// Once with probability p.
    Bernoulli(f64),
    /// A Poisson number over the horizon (`None` when the mean is 0).
    Poisson(Option<rand_distr::Poisson<f64>>),
}

/// An event's effect on one supplier or substitute: the fraction it removes.
#[derive(Debug, Clone)]
pub struct EventEffect {
    /// Index of the supplier or substitute.
    pub target: usize,
    /// Fraction lost (clamped to [0, 1] when drawn).
    pub fraction: Sampler,
    /// Stream key: `<event id>/supply.<id>` or `<event id>/substitute.<id>`.
    pub key: u64,
}

/// The stream keys of an event's random quantities ([`sub_stream_key`]);
/// each effect has its own ([`EventEffect::key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventKeys {
    /// `<id>/occurrence`: one uniform (`probability`) or one Poisson count.
    pub occurrence: u64,
    /// `<id>/start`: one start day per occurrence.
    pub start: u64,
    /// `<id>/duration`: one duration per occurrence.
    pub duration: u64,
    /// `<id>/demand`: one demand multiplier per occurrence.
    pub demand: u64,
}

/// A compiled event.
#[derive(Debug, Clone)]
pub struct EventModel {
    /// Id (for reports).
    pub id: String,
    /// Its random streams.
    pub keys: EventKeys,
    /// How many times it occurs.
    pub count: EventCount,
    /// The event it can occur only with (then `count` is a conditional
    /// probability and the start is offset from that event's start).
    pub after: Option<usize>,
    /// Start day sampler.
    pub start_days: Sampler,
    /// Duration sampler in days (`None`: lasts to the end of the horizon).
    pub duration_days: Option<Sampler>,
    /// Effects on suppliers (fraction of volume lost), in the order written.
    pub supply: Vec<EventEffect>,
    /// Effects on substitutes (fraction of capacity lost), in the order written.
    pub substitute: Vec<EventEffect>,
    /// Demand multiplier while active.
    pub demand: Option<Sampler>,
}

/// Everything the engine needs, with ids resolved to indices.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Scenario title.
    pub title: String,
    /// Chart titles and data sources (`[report]`).
    pub report: crate::scenario::validate::ReportSpec,
    /// Volume unit.
    pub unit: String,
    /// Currency of costs, if given.
    pub currency: Option<String>,
    /// Step length.
    pub step: Step,
    /// Steps per year as a float.
    pub steps_per_year: f64,
    /// Number of steps.
    pub steps: usize,
    /// Date of step 0.
    pub start: NaiveDate,
    /// Number of trials.
    pub trials: u64,
    /// Base seed.
    pub seed: u64,
    /// The date (or date-time, for hourly steps) of each step, as text.
    pub step_labels: Vec<String>,
    /// Calendar month (0-11) of each step.
    pub months: Vec<u8>,
    /// Base demand per step (before the level, noise and events).
    pub demand_base: Vec<f64>,
    /// Per-trial demand level multiplier.
    pub demand_level: Sampler,
    /// Noise `(sd, autocorrelation)` if any.
    pub noise: Option<(f64, f64)>,
    /// Storage capacity.
    pub storage_capacity: f64,
    /// Storage operating floor.
    pub storage_minimum: f64,
    /// Initial storage level (clamped to [minimum, capacity] when drawn).
    pub storage_initial: Sampler,
    /// Suppliers in file order.
    pub suppliers: Vec<SupplierModel>,
    /// Distinct volume shapes: per-step profile multipliers (index 0 is flat, all ones).
    pub shapes: Vec<Vec<f64>>,
    /// Prefix sums of each shape (length steps + 1).
    pub shape_cumsum: Vec<Vec<f64>>,
    /// Σ over suppliers of their per-step volume, before any loss.
    pub base_supply: Vec<f64>,
    /// Substitutes in file order.
    pub substitutes: Vec<SubstituteModel>,
    /// Events in file order.
    pub events: Vec<EventModel>,
    /// The order in which events are drawn: file order, except that an event
    /// named by `after` comes before the events that name it.
    pub event_order: Vec<usize>,
    /// Inputs drawn once per trial, in the column order of `inputs.npy`.
    pub inputs: Vec<InputModel>,
    /// Whether any supplier's volume is drawn (then the base supply is
    /// summed per trial).
    pub volume_drawn: bool,
    /// Number of suppliers named as some substitute's `source`.
    pub source_rows: usize,
    /// Storage-triggered substitutes' target levels, `steps` values each (see
    /// [`SubstituteModel::target`]).
    pub targets: Vec<f64>,
    /// Whether some storage-triggered substitute's target changes with the
    /// step (12 monthly or per-step values).
    pub target_paths: bool,
    /// Whether any event changes demand.
    pub has_demand_events: bool,
    /// Indices of the loss-, storage- and shortfall-triggered substitutes, in file order.
    pub subs_by_trigger: [Vec<usize>; 3],
    /// Stream key of the demand level (`@demand/level`).
    pub demand_level_key: u64,
    /// Stream key of the demand noise (`@demand/noise`).
    pub demand_noise_key: u64,
    /// Stream key of the initial storage level (`@storage`).
    pub storage_key: u64,
    /// SHA-256 of the canonical merged scenario.
    pub scenario_sha256: String,
}

/// Days in each month of a 365-day year.
const MONTH_DAYS: [f64; 12] = [31., 28., 31., 30., 31., 30., 31., 31., 30., 31., 30., 31.];

impl Model {
    /// The events that occur in every trial at a fixed start day
    /// (probability 1, not conditional on another event), with the step
    /// each starts at, in file order.
    pub fn certain_event_starts(&self) -> Vec<(String, usize)> {
        self.events
            .iter()
            .filter(|e| {
                e.after.is_none() && matches!(e.count, EventCount::Bernoulli(p) if p >= 1.0)
            })
            .filter_map(|e| match e.start_days {
                Sampler::Fixed(days) => {
                    let step = days_to_steps(days, self.steps_per_year).floor().max(0.0);
                    Some((e.id.clone(), step as usize))
                }
                _ => None,
            })
            .collect()
    }

    /// Compiles a validated scenario. Fails only on a hash collision between
    /// two ids (astronomically unlikely), reported as a message.
    pub fn compile(s: &Scenario) -> Result<Model, String> {
        let spy = s.step.per_year() as f64;
        let steps = s.steps;
        let (step_labels, months) = calendar(s.start, s.step, steps);

        let demand_base: Vec<f64> = match &s.demand {
            DemandBase::PerStep(v) => v.clone(),
            DemandBase::Annual {
                annual,
                seasonality,
            } => {
                let per_step = annual / spy;
                match seasonality {
                    None => vec![per_step; steps],
                    Some(w) => {
                        let mean: f64 =
                            w.iter().zip(MONTH_DAYS).map(|(w, d)| w * d).sum::<f64>() / 365.0;
                        months
                            .iter()
                            .map(|&m| per_step * w[m as usize] / mean)
                            .collect()
                    }
                }
            }
        };

        let outages = s.suppliers.iter().map(|x| &x.outage);
        let outages = outages.chain(s.substitutes.iter().map(|x| &x.outage));
        let mean_durations = MeanDurations::new(
            outages
                .flatten()
                .filter(|o| o.rate_per_year > 0.0)
                .map(|o| &o.duration_days),
            spy,
        );

        let mut names = StreamNames::default();
        let outage = |names: &mut StreamNames, id: &str, o: &Option<OutageSpec>| {
            let o = o.as_ref()?;
            if o.rate_per_year <= 0.0 {
                return None;
            }
            let p_fail = -(-o.rate_per_year / spy).exp_m1();
            let e_up = 1.0 / p_fail;
            let e_down = mean_durations.of(&o.duration_days);
            let p_start_down = match o.initial {
                InitialState::Up => 0.0,
                InitialState::Stationary => e_down / (e_up + e_down),
            };
            Some(OutageModel {
                p_fail,
                up_scale: spy / o.rate_per_year,
                duration_days: o.duration_days.sampler(),
                loss: o.loss.sampler(),
                p_start_down,
                keys: OutageKeys {
                    up: names.sub(id, "up"),
                    duration: names.sub(id, "duration"),
                    loss: names.sub(id, "loss"),
                },
            })
        };
        let whole_steps = |days: f64| delay_steps(days, spy, steps);

        // Drawn inputs, in the contract's column order: suppliers, then
        // substitutes, each in file order, fields in a fixed order.
        let mut inputs: Vec<InputModel> = Vec::new();
        let mut drawn = |kind: &str, id: &str, field: &str, input: &Input, set: InputField| {
            if let Input::Drawn(d) = input {
                let name = format!("{kind}.{id}.{field}");
                inputs.push(InputModel {
                    key: names.key(name.clone()),
                    name,
                    sampler: d.sampler(),
                    field: set,
                });
            }
        };
        for (i, sup) in s.suppliers.iter().enumerate() {
            drawn(
                "supplier",
                &sup.id,
                "volume",
                &sup.volume,
                InputField::SupplierVolume(i),
            );
            drawn(
                "supplier",
                &sup.id,
                "transit_days",
                &sup.transit_days,
                InputField::SupplierTransit(i),
            );
        }
        for (j, sub) in s.substitutes.iter().enumerate() {
            drawn(
                "substitute",
                &sub.id,
                "capacity",
                &sub.capacity,
                InputField::SubstituteCapacity(j),
            );
            drawn(
                "substitute",
                &sub.id,
                "lead_days",
                &sub.lead_days,
                InputField::SubstituteLead(j),
            );
            if let Some(v) = &sub.volume {
                drawn(
                    "substitute",
                    &sub.id,
                    "volume",
                    v,
                    InputField::SubstituteBudget(j),
                );
            }
            drawn(
                "substitute",
                &sub.id,
                "cost",
                &sub.cost,
                InputField::SubstituteCost(j),
            );
        }
        let volume_drawn = s.suppliers.iter().any(|sup| sup.volume.fixed().is_none());
        let mut source_of: Vec<Option<usize>> = vec![None; s.suppliers.len()];
        let mut source_rows = 0;
        for sub in &s.substitutes {
            if let Some(i) = sub.source {
                if source_of[i].is_none() {
                    source_of[i] = Some(source_rows);
                    source_rows += 1;
                }
            }
        }

        let mut shapes: Vec<Vec<f64>> = vec![vec![1.0; steps]];
        let mut suppliers = Vec::with_capacity(s.suppliers.len());
        for (i, sup) in s.suppliers.iter().enumerate() {
            let shape: Vec<f64> = match &sup.profile {
                None => vec![1.0; steps],
                Some(p) if p.len() == 12 => months.iter().map(|&m| p[m as usize]).collect(),
                Some(p) => p.clone(),
            };
            let index = match shapes.iter().position(|x| *x == shape) {
                Some(i) => i,
                None => {
                    shapes.push(shape);
                    shapes.len() - 1
                }
            };
            suppliers.push(SupplierModel {
                id: sup.id.clone(),
                name: sup.name.clone(),
                volume: sup.volume.fixed(),
                capacity: sup.capacity,
                volume_per_step: sup.volume.fixed().unwrap_or(0.0) / spy,
                shape: index,
                transit: whole_steps(sup.transit_days.fixed().unwrap_or(0.0)),
                outage: outage(&mut names, &sup.id, &sup.outage),
                source_row: source_of[i],
            });
        }
        let shape_cumsum: Vec<Vec<f64>> = shapes
            .iter()
            .map(|sh| {
                let mut c = Vec::with_capacity(steps + 1);
                c.push(0.0);
                let mut acc = 0.0;
                for v in sh {
                    acc += v;
                    c.push(acc);
                }
                c
            })
            .collect();
        let base_supply: Vec<f64> = (0..steps)
            .map(|t| {
                suppliers
                    .iter()
                    .map(|m| m.volume_per_step * shapes[m.shape][t])
                    .sum()
            })
            .collect();

        let mut targets: Vec<f64> = Vec::new();
        let mut substitutes: Vec<SubstituteModel> = s
            .substitutes
            .iter()
            .map(|sub| {
                let target = targets.len();
                match &sub.target {
                    Some(LevelPath::Constant(v)) => targets.extend(std::iter::repeat_n(*v, steps)),
                    Some(LevelPath::Monthly(v)) => {
                        targets.extend(months.iter().map(|&m| v[m as usize]))
                    }
                    Some(LevelPath::PerStep(v)) => targets.extend_from_slice(v),
                    None => {}
                }
                SubstituteModel {
                    id: sub.id.clone(),
                    capacity_per_step: sub.capacity.fixed().unwrap_or(0.0) / spy,
                    lead: whole_steps(sub.lead_days.fixed().unwrap_or(0.0)),
                    source: sub.source,
                    trigger: Trigger::of(sub.trigger),
                    target,
                    target_constant: match &sub.target {
                        Some(LevelPath::Constant(v)) => Some(*v),
                        _ => None,
                    },
                    budget: sub
                        .volume
                        .as_ref()
                        .map_or(f64::INFINITY, |v| v.fixed().unwrap_or(0.0)),
                    cost: sub.cost.fixed().unwrap_or(0.0),
                    outage: outage(&mut names, &sub.id, &sub.outage),
                    can_fail: false,
                }
            })
            .collect();

        let horizon_years = steps as f64 / spy;
        let events: Vec<EventModel> = s
            .events
            .iter()
            .map(|e| EventModel {
                id: e.id.clone(),
                keys: EventKeys {
                    occurrence: names.sub(&e.id, "occurrence"),
                    start: names.sub(&e.id, "start"),
                    duration: names.sub(&e.id, "duration"),
                    demand: names.sub(&e.id, "demand"),
                },
                after: e.after,
                count: match e.occurrence {
                    Occurrence::Probability(p) => EventCount::Bernoulli(p),
                    Occurrence::RatePerYear(r) => {
                        EventCount::Poisson(rand_distr::Poisson::new(r * horizon_years).ok())
                    }
                },
                start_days: e.start_day.sampler(),
                duration_days: e.duration_days.as_ref().map(|d| d.sampler()),
                supply: names.effects(&e.id, "supply", &e.supply, |i| &s.suppliers[i].id),
                substitute: names
                    .effects(&e.id, "substitute", &e.substitute, |j| &s.substitutes[j].id),
                demand: e.demand.as_ref().map(|d| d.sampler()),
            })
            .collect();
        for sub in substitutes.iter_mut().enumerate() {
            let (j, sub) = sub;
            sub.can_fail = sub.outage.is_some()
                || sub.source.is_some()
                || events
                    .iter()
                    .any(|e| e.substitute.iter().any(|x| x.target == j));
        }
        let has_demand_events = events.iter().any(|e| e.demand.is_some());
        let subs_by_trigger = Trigger::ALL.map(|tr| {
            (0..substitutes.len())
                .filter(|&j| substitutes[j].trigger == tr)
                .collect()
        });

        let event_order = draw_order(&events);
        let target_paths = substitutes
            .iter()
            .any(|m| m.trigger == Trigger::Storage && m.target_constant.is_none());

        let demand_level_key = names.sub("@demand", "level");
        let demand_noise_key = names.sub("@demand", "noise");
        let storage_key = names.key("@storage".to_string());
        names.check()?;

        let scenario_sha256: String = Sha256::digest(s.canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Model {
            name: s.name.clone(),
            title: s.title.clone(),
            report: s.report.clone(),
            unit: s.unit.clone(),
            currency: s.currency.clone(),
            step: s.step,
            steps_per_year: spy,
            steps,
            start: s.start,
            trials: s.trials,
            seed: s.seed,
            step_labels,
            months,
            demand_base,
            demand_level: s.demand_level.sampler(),
            noise: s.noise.map(|n| (n.sd, n.autocorrelation)),
            storage_capacity: s.storage_capacity,
            storage_minimum: s.storage_minimum,
            storage_initial: s.storage_initial.sampler(),
            suppliers,
            shapes,
            shape_cumsum,
            base_supply,
            substitutes,
            events,
            event_order,
            inputs,
            volume_drawn,
            source_rows,
            target_paths,
            targets,
            has_demand_events,
            subs_by_trigger,
            demand_level_key,
            demand_noise_key,
            storage_key,
            scenario_sha256,
        })
    }
}

/// The order in which events are drawn: file order, except that each event
/// comes after the event its `after` names (validation has refused cycles).
fn draw_order(events: &[EventModel]) -> Vec<usize> {
    let mut order = Vec::with_capacity(events.len());
    let mut placed = vec![false; events.len()];
    while order.len() < events.len() {
        let before = order.len();
        for (i, e) in events.iter().enumerate() {
            if !placed[i] && e.after.is_none_or(|p| placed[p]) {
                placed[i] = true;
                order.push(i);
            }
        }
        assert!(order.len() > before, "`after` chains form a cycle");
    }
    order
}

/// Labels and calendar months of each step: step t falls on
/// `start + t × step_days` days (for monthly steps, t calendar months).
fn calendar(start: NaiveDate, step: Step, steps: usize) -> (Vec<String>, Vec<u8>) {
    let mut labels = Vec::with_capacity(steps);
    let mut months = Vec::with_capacity(steps);
    for t in 0..steps {
        let (date, hour) = match step {
            Step::Hour => (start + Duration::days((t / 24) as i64), Some(t % 24)),
            Step::Day => (start + Duration::days(t as i64), None),
            Step::Week => (
                start + Duration::days((t as f64 * 365.0 / 52.0).floor() as i64),
                None,
            ),
            Step::Month => (
                start
                    .checked_add_months(Months::new(t as u32))
                    .unwrap_or(NaiveDate::MAX),
                None,
            ),
        };
        labels.push(match hour {
            Some(h) => format!("{}T{h:02}:00", date.format("%Y-%m-%d")),
            None => date.format("%Y-%m-%d").to_string(),
        });
        months.push(date.month0() as u8);
    }
    (labels, months)
}

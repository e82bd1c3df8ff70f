#include "core/probe_planner.h"

#include <algorithm>
#include <utility>

namespace arp {
namespace {

std::size_t index_of(ProbeReason reason) { return static_cast<std::size_t>(reason); }

// Which waiting rounds go first when the budget is short: a thief of this host's address is
// the most urgent page, a change on the wire next; sweeps wait.
constexpr std::array kUrgency = {ProbeReason::own_address, ProbeReason::change,
                                 ProbeReason::recheck, ProbeReason::watch};

// A burst below one probe, or a round of none, would never send anything.
ProbePlannerConfig sanitized(ProbePlannerConfig config) {
  config.burst = std::max(config.burst, 1.0);
  config.probes_per_round = std::max<std::uint32_t>(config.probes_per_round, 1);
  return config;
}

}  // namespace

std::string_view to_string(ProbeReason reason) {
  switch (reason) {
    case ProbeReason::change:
      return "change";
    case ProbeReason::own_address:
      return "own_address";
    case ProbeReason::watch:
      return "watch";
    case ProbeReason::recheck:
      return "recheck";
  }
  return "unknown";
}

std::string_view to_string(ProbeLimit limit) {
  switch (limit) {
    case ProbeLimit::rate:
      return "rate";
    case ProbeLimit::address_interval:
      return "address_interval";
  }
  return "unknown";
}

std::string_view to_string(RoundOutcome outcome) {
  switch (outcome) {
    case RoundOutcome::unanswered:
      return "unanswered";
    case RoundOutcome::one_mac:
      return "one_mac";
    case RoundOutcome::several_macs:
      return "several_macs";
  }
  return "unknown";
}

ProbePlanner::ProbePlanner(ProbePlannerConfig config)
    : config_(sanitized(config)), tokens_(config_.burst) {}

void ProbePlanner::reconfigure(ProbePlannerConfig config, Timestamp now) {
  const auto previous = config_;
  config_ = sanitized(config);
  tokens_ = std::min(tokens_, config_.burst);
  for (auto& scheduled : scheduled_) {
    const auto old_interval = scheduled.reason == ProbeReason::own_address
                                  ? previous.own_interval
                                  : previous.watch_interval;
    // due was "last round + old interval" (or a spread-out first time): the same distance from
    // that start, on the new interval.
    scheduled.due =
        std::max(now, scheduled.due - old_interval + schedule_interval(scheduled.reason));
  }
}

ProbeCounters& ProbePlanner::counters_for(InterfaceIndex interface) {
  if (counters_.size() <= interface) counters_.resize(interface + 1U);
  return counters_[interface];
}

void ProbePlanner::forget_interface(InterfaceIndex interface) {
  const auto on_it = [&](const AddressKey& key) { return key.interface == interface; };
  std::erase_if(rounds_, [&](const auto& entry) { return on_it(entry.first); });
  for (auto& queue : pending_) {
    pending_count_ -= std::erase_if(queue, [&](const Pending& p) { return on_it(p.key); });
  }
  std::erase_if(queued_, on_it);
  std::erase_if(postponed_, on_it);
  std::erase_if(last_round_, [&](const auto& entry) { return on_it(entry.first); });
  std::erase_if(scheduled_, [&](const Scheduled& s) { return on_it(s.key); });
  if (interface < counters_.size()) counters_[interface] = ProbeCounters{};
}

Duration ProbePlanner::interval_for(ProbeReason reason) const {
  switch (reason) {
    case ProbeReason::change:
      return config_.address_interval;
    case ProbeReason::recheck:
      return config_.recheck_interval;
    case ProbeReason::own_address:  // a schedule faster than the cap is the operator's choice
      return std::min(config_.address_interval, config_.own_interval);
    case ProbeReason::watch:
      return std::min(config_.address_interval, config_.watch_interval);
  }
  return config_.address_interval;
}

void ProbePlanner::request(const AddressKey& key, ProbeReason reason, Timestamp now) {
  if (rounds_.contains(key) || queued_.contains(key)) return;
  const auto last = last_round_.find(key);
  if (last != last_round_.end() && now - last->second < interval_for(reason)) {
    // Only a change was asked for and refused; a scheduled round or a recheck is simply not
    // due yet (a round for the address has just run).
    if (reason == ProbeReason::change) {
      ++counters_for(key.interface)
            .suppressed[static_cast<std::size_t>(ProbeLimit::address_interval)];
      // Not dropped: postponed to the end of the interval (several changes meanwhile make one
      // round). A round answered before the latest change cannot vouch for it, and without a
      // later one the tracker falls back to passive evidence: a VIP failing over twice within
      // the interval (R1 -> R2 -> R1 -> R2) reads as two MACs alternating, contested until the
      // 30 s recheck: a false page. The postponed round hears the current holder alone.
      postponed_.insert(key);
    }
    return;
  }
  if (pending_count_ >= config_.max_pending) {
    ++counters_for(key.interface).suppressed[static_cast<std::size_t>(ProbeLimit::rate)];
    return;
  }
  pending_[index_of(reason)].push_back(Pending{.key = key, .requested = now});
  queued_.insert(key);
  ++pending_count_;
}

void ProbePlanner::schedule(const std::vector<AddressKey>& own,
                            const std::vector<AddressKey>& watched, Timestamp now) {
  // Where each address already stands in the schedule, looked up once per address: a watched
  // /16 is 65,536 of them.
  std::unordered_map<AddressKey, Timestamp, AddressKeyHash> own_due;
  std::unordered_map<AddressKey, Timestamp, AddressKeyHash> watch_due;
  for (const auto& scheduled : scheduled_) {
    (scheduled.reason == ProbeReason::own_address ? own_due : watch_due)
        .emplace(scheduled.key, scheduled.due);
  }
  std::vector<Scheduled> next;
  next.reserve(own.size() + watched.size());
  const auto add = [&](const std::vector<AddressKey>& keys, ProbeReason reason, Duration interval,
                       const auto& due) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto known = due.find(keys[i]);
      // New addresses are spread over one interval, so that a host with many addresses (or a
      // watched /24) does not spend the whole budget at once.
      const auto offset = interval * static_cast<Duration::rep>(i) /
                          static_cast<Duration::rep>(std::max<std::size_t>(keys.size(), 1));
      next.push_back(Scheduled{.key = keys[i],
                               .reason = reason,
                               .due = known != due.end() ? known->second : now + offset});
    }
  };
  add(own, ProbeReason::own_address, config_.own_interval, own_due);
  add(watched, ProbeReason::watch, config_.watch_interval, watch_due);
  scheduled_ = std::move(next);
}

void ProbePlanner::answer(const AddressKey& key, const MacAddress& mac) {
  const auto round = rounds_.find(key);
  if (round == rounds_.end()) return;
  ++counters_for(key.interface).answers;
  auto& answers = round->second.answers;
  if (std::find(answers.begin(), answers.end(), mac) == answers.end() &&
      answers.size() < config_.max_answers_per_round) {
    answers.push_back(mac);
  }
}

void ProbePlanner::refill(Timestamp now) {
  if (refilled_ == Timestamp{} || now < refilled_) {
    refilled_ = now;  // first call, or a clock that went back: start the budget afresh
    return;
  }
  const double elapsed = std::chrono::duration<double>(now - refilled_).count();
  tokens_ = std::min(config_.burst, tokens_ + elapsed * config_.probes_per_second);
  refilled_ = now;
}

bool ProbePlanner::take_token() {
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

Duration ProbePlanner::schedule_interval(ProbeReason reason) const {
  return reason == ProbeReason::own_address ? config_.own_interval : config_.watch_interval;
}

void ProbePlanner::queue_due(Timestamp now) {
  for (auto key = postponed_.begin(); key != postponed_.end();) {
    const auto last = last_round_.find(*key);
    if (last != last_round_.end() && now - last->second < config_.address_interval) {
      ++key;
      continue;
    }
    const auto due = *key;
    key = postponed_.erase(key);
    request(due, ProbeReason::change, now);
  }
  for (auto& scheduled : scheduled_) {
    if (scheduled.due > now) continue;
    scheduled.due = now + schedule_interval(scheduled.reason);
    request(scheduled.key, scheduled.reason, now);
  }
}

void ProbePlanner::continue_rounds(Timestamp now, Step& step) {
  for (auto& [key, round] : rounds_) {
    if (round.probes_sent >= config_.probes_per_round || round.next_probe > now) continue;
    if (!take_token()) return;  // the rest of the round waits for the budget
    step.send.push_back(Probe{.key = key, .reason = round.reason});
    ++counters_for(key.interface).sent[index_of(round.reason)];
    ++round.probes_sent;
    round.next_probe = now + config_.probe_spacing;
  }
}

void ProbePlanner::start_rounds(Timestamp now, Step& step) {
  for (const auto reason : kUrgency) {
    auto& queue = pending_[index_of(reason)];
    while (!queue.empty()) {
      const auto pending = queue.front();
      if (now - pending.requested > config_.max_wait) {
        ++counters_for(pending.key.interface)
              .suppressed[static_cast<std::size_t>(ProbeLimit::rate)];
      } else if (!take_token()) {
        return;  // everything behind waits too
      } else {
        rounds_.emplace(pending.key, Round{.reason = reason,
                                           .started = now,
                                           .next_probe = now + config_.probe_spacing,
                                           .probes_sent = 1,
                                           .answers = {}});
        last_round_[pending.key] = now;
        step.send.push_back(Probe{.key = pending.key, .reason = reason});
        ++counters_for(pending.key.interface).sent[index_of(reason)];
      }
      queue.pop_front();
      queued_.erase(pending.key);
      --pending_count_;
    }
  }
}

void ProbePlanner::finish_rounds(Timestamp now, Step& step) {
  for (auto round = rounds_.begin(); round != rounds_.end();) {
    if (now - round->second.started < config_.round_duration) {
      ++round;
      continue;
    }
    const auto& answers = round->second.answers;
    const auto outcome = answers.empty()       ? RoundOutcome::unanswered
                         : answers.size() == 1 ? RoundOutcome::one_mac
                                               : RoundOutcome::several_macs;
    ++counters_for(round->first.interface).rounds[static_cast<std::size_t>(outcome)];
    step.finished.push_back(FinishedRound{
        .key = round->first,
        .reason = round->second.reason,
        .result = VerificationResult{.answers = answers, .started = round->second.started}});
    round = rounds_.erase(round);
  }
}

void ProbePlanner::forget_old_rounds(Timestamp now) {
  // Once a second is plenty: the map holds at most a few intervals' worth of rounds.
  if (now - forgotten_ < std::chrono::seconds(1)) return;
  forgotten_ = now;
  const auto longest = std::max(config_.address_interval, config_.recheck_interval);
  std::erase_if(last_round_, [&](const auto& entry) { return now - entry.second > longest; });
}

ProbePlanner::Step ProbePlanner::advance(Timestamp now) {
  Step step;
  refill(now);
  finish_rounds(now, step);
  queue_due(now);
  continue_rounds(now, step);
  start_rounds(now, step);
  forget_old_rounds(now);
  return step;
}

}  // namespace arp

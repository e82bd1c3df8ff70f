#include "exporter/status_timeline.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ranges>
#include <vector>

#include "exporter/html_text.h"

namespace arp {
namespace {

// Geometry of one drawing, in SVG user units (the SVG scales to the page's width).
constexpr double kWidth = 1200;
constexpr double kLabelWidth = 330;  // MAC and vendor, left of the axis
constexpr double kPlotLeft = kLabelWidth + 10;
constexpr double kPlotRight = kWidth - 24;
constexpr double kAxisHeight = 46;  // tick times, then verdict labels
constexpr double kLaneHeight = 40;
// Less than this and a burst of marks within a second would sit on top of each other.
constexpr auto kShortestAxis = std::chrono::seconds(20);
// Verdict labels closer than this would print over each other: the later one wins.
constexpr double kLabelSpacing = 70;

// Colour-blind-friendly (Okabe-Ito), one per MAC, in the order the MACs first claimed.
constexpr std::array<const char*, 7> kLaneColours = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                                     "#e69f00", "#56b4e9", "#8a6d00"};
constexpr const char* kNoMacColour = "#9a9a9a";

std::string number(double value) {
  std::array<char, 32> text{};
  const int length = std::snprintf(text.data(), text.size(), "%.1f", value);
  return {text.data(), static_cast<std::size_t>(std::max(length, 0))};
}

std::string macs_text(const std::vector<MacAddress>& macs) {
  std::string text;
  for (const auto& mac : macs) {
    if (!text.empty()) text += ", ";
    text += mac.to_string();
  }
  return text;
}

std::string entry_text(const NeighborMark& entry) {
  if (!entry.mac)
    return entry.state == NudState::none ? "no entry" : std::string(to_string(entry.state));
  return entry.mac->to_string() + " (" + std::string(to_string(entry.state)) + ")";
}

class Drawing {
 public:
  Drawing(Timestamp start, Timestamp end) : start_(start), end_(end) {}

  double x(Timestamp time) const {
    const auto span = std::chrono::duration<double>(end_ - start_).count();
    const auto offset = std::chrono::duration<double>(time - start_).count();
    return kPlotLeft + std::clamp(offset / span, 0.0, 1.0) * (kPlotRight - kPlotLeft);
  }
  Timestamp start() const { return start_; }
  Timestamp end() const { return end_; }

 private:
  Timestamp start_;
  Timestamp end_;
};

struct Lane {
  MacAddress mac;
  const Claimant* claimant = nullptr;  // null for a MAC that only answered or was pointed to
  const char* colour = kNoMacColour;
};

class TimelineRenderer {
 public:
  TimelineRenderer(const AddressTimeline& timeline, const std::optional<NeighborMark>& here_now,
                   Timestamp now, Duration window, const VendorRegistry& vendors)
      : timeline_(timeline),
        here_now_(here_now),
        now_(now),
        vendors_(vendors),
        drawing_(axis_start(timeline, now, window), now) {
    collect_lanes();
  }

  std::string render() {
    const double rounds_top = kAxisHeight + static_cast<double>(lanes_.size()) * kLaneHeight;
    const double host_top = rounds_top + kLaneHeight;
    const double height = host_top + kLaneHeight + 6;
    svg_ += "<svg class=\"timeline-chart\" viewBox=\"0 0 " + number(kWidth) + " " + number(height) +
            "\" width=\"100%\" role=\"img\" aria-label=\"timeline of " +
            timeline_.key.ip.to_string() + "\">\n";
    draw_axis(height);
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      draw_mac_lane(lanes_[i], kAxisHeight + static_cast<double>(i) * kLaneHeight);
    }
    draw_rounds(rounds_top);
    draw_host_entry(host_top);
    draw_verdicts(height);
    svg_ += "</svg>\n";
    return std::move(svg_);
  }

 private:
  // The axis ends now and reaches back to just before the first mark, never past the window:
  // a conflict of the last twenty seconds should not be squeezed into the right edge.
  static Timestamp axis_start(const AddressTimeline& timeline, Timestamp now, Duration window) {
    auto first = now;
    for (const auto& event : timeline.events) first = std::min(first, event.at);
    for (const auto& claimant : timeline.claimants) first = std::min(first, claimant.first_seen);
    auto span = (now - first) + (now - first) / 20;  // a margin before the first mark
    span = std::clamp<Duration>(span, kShortestAxis, window);
    return now - span;
  }

  void collect_lanes() {
    const auto add = [&](const MacAddress& mac, const Claimant* claimant) {
      const auto found =
          std::find_if(lanes_.begin(), lanes_.end(), [&](const Lane& l) { return l.mac == mac; });
      if (found != lanes_.end()) {
        if (found->claimant == nullptr) found->claimant = claimant;
        return;
      }
      lanes_.push_back({mac, claimant, kLaneColours[lanes_.size() % kLaneColours.size()]});
    };
    for (const auto& claimant : timeline_.claimants) add(claimant.mac, &claimant);
    for (const auto& event : timeline_.events) {
      if (const auto* claim = std::get_if<ClaimMark>(&event.what)) add(claim->mac, nullptr);
      if (const auto* round = std::get_if<RoundMark>(&event.what)) {
        for (const auto& mac : round->answers) add(mac, nullptr);
      }
      if (const auto* entry = std::get_if<NeighborMark>(&event.what)) {
        if (entry->mac) add(*entry->mac, nullptr);
      }
    }
    if (here_now_ && here_now_->mac) add(*here_now_->mac, nullptr);
  }

  const char* colour_of(const std::optional<MacAddress>& mac) const {
    if (!mac) return kNoMacColour;
    const auto found =
        std::find_if(lanes_.begin(), lanes_.end(), [&](const Lane& l) { return l.mac == *mac; });
    return found == lanes_.end() ? kNoMacColour : found->colour;
  }

  void draw_axis(double height) {
    const double axis_y = kAxisHeight - 4;
    svg_ += "<line x1=\"" + number(kPlotLeft) + "\" y1=\"" + number(axis_y) + "\" x2=\"" +
            number(kPlotRight) + "\" y2=\"" + number(axis_y) + "\" stroke=\"#888\"/>\n";
    // Five ticks, labelled with the time of day and how long ago.
    constexpr int kTicks = 5;
    for (int i = 0; i <= kTicks; ++i) {
      const auto at = drawing_.start() + (drawing_.end() - drawing_.start()) * i / kTicks;
      const auto x = number(drawing_.x(at));
      const auto ago = std::chrono::duration_cast<std::chrono::seconds>(now_ - at).count();
      svg_ += "<line x1=\"" + x + "\" y1=\"" + number(axis_y) + "\" x2=\"" + x + "\" y2=\"" +
              number(height - 4) + "\" stroke=\"#e4e4e4\"/>\n";
      const char* anchor = i == 0 ? "start" : i == kTicks ? "end" : "middle";
      svg_ += "<text x=\"" + x + "\" y=\"14\" class=\"tick\" text-anchor=\"" + anchor + "\">" +
              utc_clock(at) + (ago > 0 ? " (-" + std::to_string(ago) + "s)" : " (now)") +
              "</text>\n";
    }
  }

  void lane_label(double top, const std::string& title, const std::string& subtitle,
                  const char* colour) {
    svg_ += "<rect x=\"4\" y=\"" + number(top + 8) + "\" width=\"6\" height=\"" +
            number(kLaneHeight - 16) + "\" fill=\"" + colour + "\"/>\n";
    svg_ +=
        "<text x=\"18\" y=\"" + number(top + 17) + "\" class=\"lane-title\">" + title + "</text>\n";
    svg_ += "<text x=\"18\" y=\"" + number(top + 32) + "\" class=\"lane-sub\">" + subtitle +
            "</text>\n";
    svg_ += "<line x1=\"0\" y1=\"" + number(top + kLaneHeight) + "\" x2=\"" + number(kWidth) +
            "\" y2=\"" + number(top + kLaneHeight) + "\" stroke=\"#eee\"/>\n";
  }

  void draw_mac_lane(const Lane& lane, double top) {
    const auto mac = lane.mac.to_string();
    std::string subtitle = escape_html(vendors_.lookup(lane.mac));
    if (lane.claimant != nullptr)
      subtitle += " &middot; " + std::to_string(lane.claimant->frames) + " frames";
    svg_ += "<g class=\"lane mac-lane\" data-mac=\"" + mac + "\">\n";
    lane_label(top, "<tspan class=\"mono\">" + mac + "</tspan>", subtitle, lane.colour);
    const double middle = top + kLaneHeight / 2;
    if (lane.claimant != nullptr) {
      // The stretch in which it claimed the address, first to last frame inside the window.
      const auto from = drawing_.x(lane.claimant->first_seen);
      const auto to = std::max(drawing_.x(lane.claimant->last_seen), from + 3);
      svg_ += "<rect x=\"" + number(from) + "\" y=\"" + number(middle - 5) + "\" width=\"" +
              number(to - from) + "\" height=\"10\" rx=\"3\" fill=\"" + lane.colour +
              "\" fill-opacity=\"0.22\"><title>" + mac + " claimed it from " +
              utc_time(lane.claimant->first_seen) + " to " + utc_time(lane.claimant->last_seen) +
              "</title></rect>\n";
    }
    for (const auto& event : timeline_.events) {
      if (const auto* claim = std::get_if<ClaimMark>(&event.what);
          claim && claim->mac == lane.mac) {
        svg_ += "<circle class=\"claim\" cx=\"" + number(drawing_.x(event.at)) + "\" cy=\"" +
                number(middle) + "\" r=\"6\" fill=\"" + lane.colour +
                "\" stroke=\"#fff\" stroke-width=\"1.5\"><title>" + utc_time(event.at) + ": " +
                mac + " took the address over</title></circle>\n";
      }
      if (const auto* round = std::get_if<RoundMark>(&event.what)) {
        if (std::find(round->answers.begin(), round->answers.end(), lane.mac) ==
            round->answers.end())
          continue;
        // An answer to our probe: a diamond where the round was sent.
        const auto x = drawing_.x(event.at);
        svg_ += "<path class=\"answer\" d=\"M" + number(x) + " " + number(middle - 9) +
                " l6 9 l-6 9 l-6 -9 z\" fill=\"#fff\" stroke=\"" + lane.colour +
                "\" stroke-width=\"2.5\"><title>" + utc_time(event.at) + ": " + mac +
                " answered a verification probe</title></path>\n";
      }
    }
    svg_ += "</g>\n";
  }

  void draw_rounds(double top) {
    std::size_t count = 0;
    for (const auto& event : timeline_.events)
      count += std::holds_alternative<RoundMark>(event.what);
    svg_ += "<g class=\"lane rounds-lane\">\n";
    lane_label(top, "Verification rounds", std::to_string(count) + " in view; who answered",
               "#555");
    const double middle = top + kLaneHeight / 2;
    for (const auto& event : timeline_.events) {
      const auto* round = std::get_if<RoundMark>(&event.what);
      if (round == nullptr) continue;
      const auto answered = round->answers.size();
      const char* fill = answered >= 2 ? "#c0392b" : answered == 1 ? "#2e8b57" : "#bbbbbb";
      const auto from = drawing_.x(event.at);
      const auto to = std::max(drawing_.x(round->finished), from + 4);
      const std::string what =
          answered == 0 ? "no answer"
                        : std::to_string(answered) + " answered: " + macs_text(round->answers);
      svg_ += "<g class=\"round\" data-answers=\"" + std::to_string(answered) + "\"><rect x=\"" +
              number(from) + "\" y=\"" + number(middle - 9) + "\" width=\"" + number(to - from) +
              "\" height=\"18\" rx=\"2\" fill=\"" + fill + "\"/>";
      svg_ += "<text x=\"" + number(from + (to - from) / 2) + "\" y=\"" + number(middle + 4) +
              "\" class=\"round-count\" text-anchor=\"middle\">" +
              (answered == 0 ? std::string("0") : std::to_string(answered)) + "</text>";
      svg_ += "<title>" + utc_time(event.at) + ": round (" + std::string(to_string(round->reason)) +
              ") sent; " + what + "</title></g>\n";
    }
    svg_ += "</g>\n";
  }

  void draw_host_entry(double top) {
    // Where this host's entry pointed: from the window's edge (if known) through each change
    // to now, where the table read for this page has the last word.
    struct Segment {
      Timestamp from;
      NeighborMark entry;
    };
    std::vector<Segment> segments;
    if (timeline_.neighbor_before)
      segments.push_back({drawing_.start(), *timeline_.neighbor_before});
    for (const auto& event : timeline_.events) {
      if (const auto* entry = std::get_if<NeighborMark>(&event.what))
        segments.push_back({event.at, *entry});
    }
    if (here_now_ && (segments.empty() || !(segments.back().entry == *here_now_))) {
      segments.push_back({segments.empty() ? now_ - std::chrono::seconds(1) : now_, *here_now_});
    }
    svg_ += "<g class=\"lane host-lane\">\n";
    const std::string now_text =
        segments.empty() ? "not known" : "now " + entry_text(segments.back().entry);
    lane_label(top, "This host's ARP entry", escape_html(now_text), "#333");
    const double middle = top + kLaneHeight / 2;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const auto from = drawing_.x(segments[i].from);
      const auto to = i + 1 < segments.size() ? drawing_.x(segments[i + 1].from) : drawing_.x(now_);
      const auto width = std::max(to - from, 3.0);
      const auto& entry = segments[i].entry;
      const auto text = entry_text(entry);
      svg_ += "<g class=\"host-entry\" data-mac=\"" +
              (entry.mac ? entry.mac->to_string() : std::string()) + "\"><rect x=\"" +
              number(from) + "\" y=\"" + number(middle - 10) + "\" width=\"" + number(width) +
              "\" height=\"20\" fill=\"" + colour_of(entry.mac) + "\" fill-opacity=\"" +
              (entry.mac ? "0.85" : "0.35") + "\"/>";
      // A label only where it fits: 6.5 units a character at the page's font size.
      if (width > static_cast<double>(text.size()) * 6.5 + 10) {
        svg_ += "<text x=\"" + number(from + 5) + "\" y=\"" + number(middle + 4) +
                "\" class=\"entry-text\">&#8594; " + escape_html(text) + "</text>";
      }
      svg_ += "<title>from " + utc_time(segments[i].from) + ": this host sends to " +
              escape_html(text) + "</title></g>\n";
    }
    svg_ += "</g>\n";
  }

  void draw_verdicts(double height) {
    // Newest first, so that of several changes within a second the one that holds is named.
    double labelled = kWidth * 2;
    // Reverse iterators, not std::ranges::reverse_view: clang 14 (the TSan build) cannot
    // instantiate libstdc++ 12's ranges.
    for (auto it = timeline_.events.rbegin(); it != timeline_.events.rend(); ++it) {
      const auto& event = *it;
      const auto* verdict = std::get_if<VerdictMark>(&event.what);
      if (verdict == nullptr) continue;
      const auto at = drawing_.x(event.at);
      const auto x = number(at);
      const char* colour = verdict->verdict == AddressState::contested ? "#c0392b" : "#7a5c00";
      svg_ += "<g class=\"verdict-change\"><line x1=\"" + x + "\" y1=\"" + number(kAxisHeight - 4) +
              "\" x2=\"" + x + "\" y2=\"" + number(height - 4) + "\" stroke=\"" + colour +
              "\" stroke-dasharray=\"4 3\"/>";
      if (labelled - at >= kLabelSpacing) {
        labelled = at;
        svg_ += "<text x=\"" + x + "\" y=\"" + number(kAxisHeight - 10) +
                "\" class=\"verdict-label\" fill=\"" + colour + "\" text-anchor=\"" +
                (at > kPlotRight - 40 ? "end" : "middle") + "\">" +
                std::string(to_string(verdict->verdict)) + "</text>";
      }
      svg_ += "<title>" + utc_time(event.at) + ": " + std::string(to_string(verdict->previous)) +
              " &#8594; " + std::string(to_string(verdict->verdict)) + "</title></g>\n";
    }
  }

  const AddressTimeline& timeline_;
  const std::optional<NeighborMark>& here_now_;
  Timestamp now_;
  const VendorRegistry& vendors_;
  Drawing drawing_;
  std::vector<Lane> lanes_;
  std::string svg_;
};

}  // namespace

std::string render_timeline(const AddressTimeline& timeline, std::string_view interface,
                            const std::optional<NeighborMark>& here_now, Timestamp now,
                            Duration window, const VendorRegistry& vendors) {
  const auto verdict = std::string(to_string(timeline.verdict));
  std::string html = "<section class=\"timeline\" id=\"timeline-" + escape_html(interface) + "-" +
                     timeline.key.vlan.to_string() + "-" + timeline.key.ip.to_string() + "\">\n";
  html += "<h3><code>" + timeline.key.ip.to_string() + "</code> on " + escape_html(interface);
  if (timeline.key.vlan.tagged()) html += ", VLAN " + escape_html(timeline.key.vlan.to_string());
  html += " <span class=\"verdict verdict-" + verdict + "\">" + verdict + "</span></h3>\n";
  html += TimelineRenderer(timeline, here_now, now, window, vendors).render();
  html += "</section>\n";
  return html;
}

}  // namespace arp

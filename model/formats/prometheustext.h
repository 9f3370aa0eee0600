// SPDX-License-Identifier: GPL-3.0-or-later
// Parser of the Prometheus text exposition format 0.0.4 (what kubelet, cAdvisor and
// oomscope-agent serve on /metrics): samples with their labels, HELP/TYPE metadata, warnings.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QString>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace oomscope {

struct PromLabel {
    QString name;
    QString value; // unescaped
};

struct PromSample {
    QByteArray name; // as exposed: a histogram's lines are <name>_bucket, _sum, _count
    std::vector<PromLabel> labels; // in exposition order
    double value = 0; // may be NaN or ±Inf
    std::optional<std::int64_t> timestampMs; // the optional trailing timestamp
    int line = 0; // 1-based

    // The value of a label, or an empty string when absent (Prometheus treats both alike).
    QString label(QLatin1StringView labelName) const;
};

struct PromParseWarning {
    int line = 0; // 1-based; 0 for the summary of dropped warnings
    QString detail;
};

struct PromParseOptions {
    // Only samples whose name is listed are kept (all when empty): a kubelet scrape carries
    // dozens of families of which a memory feed needs eight.
    std::vector<QByteArray> keepNames;
    qsizetype maxLineBytes = 1 << 20; // longer lines are skipped with a warning
    int maxWarnings = 100; // further warnings are counted in one summary warning
};

struct PromParseResult {
    std::vector<PromSample> samples;
    QHash<QByteArray, QByteArray> types; // family name → counter, gauge, histogram, summary, untyped
    QHash<QByteArray, QString> help; // family name → unescaped help text
    std::vector<PromParseWarning> warnings;
    int lines = 0;
    int skippedLines = 0; // malformed or over-long sample lines
};

// Never fails as a whole: malformed lines are skipped and reported as warnings, any byte
// sequence is accepted (fuzzed in tests/fuzz/fuzz_prometheus.cpp).
PromParseResult parsePrometheusText(QByteArrayView text, const PromParseOptions &options = {});

} // namespace oomscope

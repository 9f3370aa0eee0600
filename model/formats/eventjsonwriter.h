// SPDX-License-Identifier: GPL-3.0-or-later
// The event JSON (README.md, "JSON output") written straight into a RapidJSON writer: the one
// definition of its keys and values. eventToJson() (eventjson.h) reads these bytes back into a
// QJsonObject; `analyze --json` streams them to stdout without building any object.
#pragma once

#include "killdecision.h"
#include "meminfosnapshot.h"
#include "oomevent.h"

#include <QJsonValue>
#include <QStringView>

// Header-only (Debian's rapidjson-dev). Only the writer side: the project reads JSON with Qt.
#include <rapidjson/filewritestream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace oomscope {

// The writers the functions below are instantiated for (eventjson.cpp): compact into memory
// (eventToJson) and indented into a buffered FILE* (analyze --json).
using CompactJsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using PrettyJsonFileWriter = rapidjson::PrettyWriter<rapidjson::FileWriteStream>;

// The members of one event object, without its braces, so a caller can add its own around them
// (`source`, `time_ms`, …). `snapshot` is parseMemInfo(event), as for eventToJson().
template<typename Writer>
void writeEventMembers(Writer &writer, const OomEvent &event, const KillDecision &decision,
                       const MemInfoSnapshot &snapshot);

// The members of one parse warning (`line`, `kind`, `detail`), without its braces.
template<typename Writer> void writeWarningMembers(Writer &writer, const ParseWarning &warning);

// A QString as a JSON string (UTF-8, escaped by the writer).
template<typename Writer> void writeJsonString(Writer &writer, QStringView text);

// A Qt JSON value (the small trailing parts of a document: sources, deaths): whole numbers as
// integers and a non-finite double as null, as QJsonDocument prints them.
template<typename Writer> void writeJsonValue(Writer &writer, const QJsonValue &value);

// A key given as a literal.
template<typename Writer, std::size_t N> void writeJsonKey(Writer &writer, const char (&key)[N])
{
    writer.Key(key, rapidjson::SizeType(N - 1));
}

extern template void writeEventMembers(CompactJsonWriter &, const OomEvent &, const KillDecision &,
                                       const MemInfoSnapshot &);
extern template void writeEventMembers(PrettyJsonFileWriter &, const OomEvent &, const KillDecision &,
                                       const MemInfoSnapshot &);
extern template void writeWarningMembers(CompactJsonWriter &, const ParseWarning &);
extern template void writeWarningMembers(PrettyJsonFileWriter &, const ParseWarning &);
extern template void writeJsonString(CompactJsonWriter &, QStringView);
extern template void writeJsonString(PrettyJsonFileWriter &, QStringView);
extern template void writeJsonValue(CompactJsonWriter &, const QJsonValue &);
extern template void writeJsonValue(PrettyJsonFileWriter &, const QJsonValue &);

} // namespace oomscope

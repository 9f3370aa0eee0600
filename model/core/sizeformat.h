// SPDX-License-Identifier: GPL-3.0-or-later
// Human-friendly memory sizes (KiB/MiB/GiB) for labels, with exact figures for tooltips.
#pragma once

#include <QString>

#include <cstdint>

namespace oomscope {

// "64.0 MiB" for 65536; sizes below 1 MiB stay in KiB. Negative values keep their sign.
QString humanSizeKb(std::int64_t sizeKb);
// "65,536 kB (16,384 pages)" style exact figure; pages omitted when pageSizeBytes is 0.
QString exactSizeKb(std::int64_t sizeKb, std::int64_t pageSizeBytes = 0);
// Pages converted through the page size, then humanSizeKb.
QString humanSizePages(std::int64_t pages, std::int64_t pageSizeBytes = 4096);
// A limit the kernel prints as PAGE_COUNTER_MAX means "no limit".
bool isUnlimitedKb(std::int64_t limitKb);

} // namespace oomscope

// SPDX-License-Identifier: GPL-3.0-or-later
// The names in the fixture trees of tests/data/cgroupfs (see its README): container ids and pod
// uids as the kubelet and Docker wrote them into the paths.
#pragma once

#include <QString>

namespace cgroupfixtures {

using namespace Qt::StringLiterals;

inline const QString kData = QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs");
inline const QString kDocker1 = u"bf4339a9cfb4d0e9800dab873b9906458967b4132f639e6fa6271a2f332fb99f"_s;
// The first container's cgroup path in both trees (v1 under memory/).
inline const QString kDocker1Path = u"/docker/"_s + kDocker1;
inline const QString kDocker2 = u"39158c67a24d980ff94d86f6d39b8a3896f6a902c22035bda87b67568c385b26"_s;
inline const QString kK8s1 = u"571031ad0e7dfdb355fb763a1d7302242d79892c24658ea50867668cb25e4531"_s;
inline const QString kK8s2 = u"f5ac13205eb456846c38b3846609028a70857df26ef549bc4be872e00376b25c"_s;
inline const QString kK8s3 = u"738f4c86f37cd6383bb812bec08b3981de1554aaffe54b1c455a6a50d775c578"_s;
inline const QString kK8s4 = u"8f2fa4fc6db8bfcb9d9943b00d25b8b24749b7903619cf2ca626f673d953b6c8"_s;
inline const QString kPod1 = u"6a2b1c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"_s;
inline const QString kPod2 = u"0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e"_s;
inline const QString kPod3 = u"f0e1d2c3-b4a5-4968-8776-655443322110"_s;
inline const QString kPod1Systemd = u"6a2b1c3d_4e5f_4a6b_8c7d_9e0f1a2b3c4d"_s;
inline const QString kPod2Systemd = u"0b1c2d3e_4f5a_4b6c_9d7e_8f9a0b1c2d3e"_s;

} // namespace cgroupfixtures

// SPDX-License-Identifier: GPL-3.0-or-later
// Asks where a node's oomscope-agent is (host:port, ssh destination or local command), how to
// authenticate and which TLS checks to make; remembers recent nodes without their secrets.
#pragma once

#include "agentendpoint.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSettings;

namespace oomscope {

class AttachDialog : public QDialog
{
    Q_OBJECT

public:
    // settings: where recent nodes live (default QSettings when null; tests pass a file).
    explicit AttachDialog(QWidget *parent = nullptr, QSettings *settings = nullptr);
    ~AttachDialog() override;

    // Valid after accept(). A typed token is only here, in memory, for this session.
    AgentConnectOptions options() const { return m_options; }
    void setAddress(const QString &address);

public Q_SLOTS:
    void accept() override;

private:
    void loadRecent(int index);
    void updateEnabled();

    QSettings *m_settings;
    bool m_ownSettings = false;
    AgentConnectOptions m_options;
    QComboBox *m_address;
    QLineEdit *m_token;
    QLineEdit *m_tokenFile;
    QCheckBox *m_tls;
    QLineEdit *m_caFile;
    QLineEdit *m_pin;
    QCheckBox *m_tofu;
    QCheckBox *m_insecure;
    QLineEdit *m_agentArgs;
    QLabel *m_error;
};

} // namespace oomscope

// SPDX-License-Identifier: GPL-3.0-or-later
#include "attachdialog.h"

#include "recentnodes.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QWidget *withBrowse(QLineEdit *edit, QWidget *parent, const QString &title)
{
    auto *row = new QWidget(parent);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto *browse = new QPushButton(AttachDialog::tr("Browse…"), row);
    layout->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, edit, [edit, parent, title] {
        const QString path = QFileDialog::getOpenFileName(parent, title, edit->text());
        if (!path.isEmpty())
            edit->setText(path);
    });
    return row;
}

} // namespace

AttachDialog::AttachDialog(QWidget *parent, QSettings *settings)
    : QDialog(parent)
    , m_settings(settings)
    , m_address(new QComboBox(this))
    , m_token(new QLineEdit(this))
    , m_tokenFile(new QLineEdit(this))
    , m_tls(new QCheckBox(tr("Use TLS"), this))
    , m_caFile(new QLineEdit(this))
    , m_pin(new QLineEdit(this))
    , m_tofu(new QCheckBox(tr("Trust the certificate seen first and pin it"), this))
    , m_insecure(new QCheckBox(tr("Do not verify the certificate (labs only)"), this))
    , m_agentArgs(new QLineEdit(this))
    , m_error(new QLabel(this))
{
    if (!m_settings) {
        m_settings = new QSettings;
        m_ownSettings = true;
    }
    setWindowTitle(tr("Attach to a node"));
    m_address->setEditable(true);
    m_address->lineEdit()->setPlaceholderText(
        u"node-7:9464  ·  ssh://ops@node-7  ·  exec:/usr/bin/oomscope-agent"_s);
    for (const RecentNode &n : RecentNodes::load(*m_settings))
        m_address->addItem(n.address);
    m_address->setCurrentIndex(-1);
    m_address->setEditText(QString());
    connect(m_address, &QComboBox::activated, this, &AttachDialog::loadRecent);

    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("kept in memory for this session only, never saved"));
    m_tokenFile->setPlaceholderText(tr("file holding the token (only its path is remembered)"));
    m_pin->setPlaceholderText(tr("SHA-256 of the agent's certificate (hex)"));
    m_agentArgs->setPlaceholderText(u"--interval 1s --processes"_s);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #b00020"_s);
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&Agent:"), m_address);
    form->addRow(tr("&Token:"), m_token);
    form->addRow(tr("Token &file:"), withBrowse(m_tokenFile, this, tr("Token file")));
    form->addRow(tr("Agent options:"), m_agentArgs);
    auto *note = new QLabel(tr("A typed token is used for this session only; recent nodes keep the "
                               "address, the token file path and the TLS settings, never the token."),
                            this);
    note->setWordWrap(true);

    auto *tlsBox = new QGroupBox(tr("TLS (host:port only)"), this);
    auto *tlsForm = new QFormLayout(tlsBox);
    tlsForm->addRow(m_tls);
    tlsForm->addRow(tr("CA file:"), withBrowse(m_caFile, this, tr("CA certificate")));
    tlsForm->addRow(tr("Pinned certificate:"), m_pin);
    tlsForm->addRow(m_tofu);
    tlsForm->addRow(m_insecure);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Attach"));
    connect(buttons, &QDialogButtonBox::accepted, this, &AttachDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(tlsBox);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    connect(m_address, &QComboBox::editTextChanged, this, &AttachDialog::updateEnabled);
    connect(m_tls, &QCheckBox::toggled, this, &AttachDialog::updateEnabled);
    updateEnabled();
}

AttachDialog::~AttachDialog()
{
    if (m_ownSettings)
        delete m_settings;
}

void AttachDialog::setAddress(const QString &address)
{
    m_address->setEditText(address);
}

void AttachDialog::loadRecent(int index)
{
    const std::vector<RecentNode> nodes = RecentNodes::load(*m_settings);
    if (index < 0 || index >= int(nodes.size()))
        return;
    const RecentNode &n = nodes[std::size_t(index)];
    m_address->setEditText(n.address);
    m_tokenFile->setText(n.tokenFile);
    m_tls->setChecked(n.tls);
    m_caFile->setText(n.caFile);
    m_pin->setText(n.pinnedSha256);
    m_tofu->setChecked(n.trustOnFirstUse);
    m_insecure->setChecked(n.insecureSkipVerify);
    updateEnabled();
}

void AttachDialog::updateEnabled()
{
    const Result<AgentEndpoint> ep = AgentEndpoint::parse(m_address->currentText());
    const bool tcp = !ep || ep->kind == AgentEndpoint::Kind::Tcp;
    m_tls->setEnabled(tcp);
    const bool tls = tcp && m_tls->isChecked();
    for (QWidget *w : {static_cast<QWidget *>(m_caFile), static_cast<QWidget *>(m_pin),
                       static_cast<QWidget *>(m_tofu), static_cast<QWidget *>(m_insecure)})
        w->setEnabled(tls);
    m_agentArgs->setEnabled(!tcp);
}

void AttachDialog::accept()
{
    const Result<AgentEndpoint> ep = AgentEndpoint::parse(m_address->currentText());
    if (!ep) {
        m_error->setText(ep.error().message);
        m_error->show();
        return;
    }
    AgentConnectOptions o;
    o.endpoint = *ep;
    o.token = m_token->text().trimmed().toUtf8();
    o.tokenFile = m_tokenFile->text().trimmed();
    o.tls = ep->kind == AgentEndpoint::Kind::Tcp && m_tls->isChecked();
    if (o.tls) {
        o.caFile = m_caFile->text().trimmed();
        o.pinnedSha256 = m_pin->text().trimmed();
        o.trustOnFirstUse = m_tofu->isChecked();
        o.insecureSkipVerify = m_insecure->isChecked();
    }
    if (ep->kind != AgentEndpoint::Kind::Tcp)
        o.agentArguments = QProcess::splitCommand(m_agentArgs->text());
    if (const Result<QByteArray> token = resolveToken(o); !token) {
        m_error->setText(token.error().message);
        m_error->show();
        return;
    }
    m_options = o;
    RecentNodes::remember(*m_settings, RecentNode::fromOptions(o)); // no token in there
    QDialog::accept();
}

} // namespace oomscope

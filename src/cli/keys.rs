//! `wangge key county-init|card|export-identity` (the county's encryption key and card) and `wangge recipient
//! add|list|remove` (whom a township encrypts its bundles to).

use super::commands::Result;
use super::out::print;
use super::{KeyCmd, RecipientCmd};
use crate::domain::Lang;
use crate::store::{Store, outbound};
use crate::sync::seal;

pub fn key(store: &mut Store, action: &KeyCmd, lang: Lang) -> Result<i32> {
    match action {
        KeyCmd::Show => Ok(0),
        KeyCmd::CountyInit => {
            let r = seal::county_init(store)?;
            print(&match lang {
                Lang::Zh => format!(
                    "已创建县级加密密钥。加密公钥：{r}\n下一步：wangge key card 县级名片.txt，把名片发给各乡镇登记（wangge recipient add --card 县级名片.txt）"
                ),
                Lang::En => format!(
                    "County key created. Recipient: {r}\nNext: wangge key card county-card.txt, and each township registers it (wangge recipient add --card county-card.txt)"
                ),
            })?;
            Ok(0)
        }
        KeyCmd::Card { file } => {
            let card = seal::write_card(store, file)?;
            print(&match lang {
                Lang::Zh => format!(
                    "已写出县级名片 {}\n  设备 {}  签名公钥 {}\n  加密公钥 {}\n乡镇登记时请电话核对签名公钥的前 16 位：{}",
                    file.display(),
                    card.device,
                    card.public_key,
                    card.recipient,
                    &card.public_key[..16]
                ),
                Lang::En => format!(
                    "County card written to {}\n  device {}  signing key {}\n  recipient {}\nTownships should confirm the signing key's first 16 digits by phone: {}",
                    file.display(),
                    card.device,
                    card.public_key,
                    card.recipient,
                    &card.public_key[..16]
                ),
            })?;
            Ok(0)
        }
        KeyCmd::ExportIdentity { file } => {
            seal::export_identity(store, file)?;
            print(&match lang {
                Lang::Zh => format!(
                    "已写出县级私钥 {}（仅本人可读）。有了它就能解开所有发给本县的交换包，请妥善保管，用完删除",
                    file.display()
                ),
                Lang::En => format!(
                    "County identity written to {} (owner-only). It opens every bundle sent to this county: keep it safe, delete it after use",
                    file.display()
                ),
            })?;
            Ok(0)
        }
    }
}

pub fn recipient(store: &mut Store, action: &RecipientCmd, lang: Lang) -> Result<i32> {
    match action {
        RecipientCmd::Add {
            card: Some(file), ..
        } => {
            let card = seal::add_card(store, file)?;
            print(&match lang {
                Lang::Zh => format!(
                    "已登记县级名片：设备 {}（{}），签名公钥前 16 位 {}；以后导出的交换包都加密给 {}",
                    card.device,
                    card.region,
                    &card.public_key[..16],
                    card.recipient
                ),
                Lang::En => format!(
                    "County card registered: device {} ({}), signing key starting {}; bundles are now encrypted to {}",
                    card.device,
                    card.region,
                    &card.public_key[..16],
                    card.recipient
                ),
            })?;
            Ok(0)
        }
        RecipientCmd::Add {
            recipient: Some(r), ..
        } => {
            let r = seal::add_recipient(store, r)?;
            print(&match lang {
                Lang::Zh => format!("已登记加密公钥 {r}；以后导出的交换包都加密给它"),
                Lang::En => format!("Recipient {r} registered; bundles are now encrypted to it"),
            })?;
            Ok(0)
        }
        RecipientCmd::Add { .. } => Ok(2),
        RecipientCmd::List => {
            let rows = outbound::recipients(store.conn())?;
            if let Some(id) = seal::identity(store.conn())? {
                print(&match lang {
                    Lang::Zh => format!(
                        "本数据库是县级：乡镇的交换包加密给本县的公钥 {}",
                        id.to_public()
                    ),
                    Lang::En => format!(
                        "This is the county: townships encrypt to its recipient {}",
                        id.to_public()
                    ),
                })?;
            } else if rows.is_empty() {
                print(lang.pick(
                    "没有登记加密接收方：导出的交换包不加密。请登记县级名片：wangge recipient add --card 文件",
                    "No recipient registered: bundles go out unencrypted. Register the county card: wangge recipient add --card FILE",
                ))?;
            }
            for r in rows {
                print(&format!(
                    "{}  {}  {}",
                    r.recipient,
                    r.region.as_deref().unwrap_or("-"),
                    r.device
                        .as_deref()
                        .unwrap_or(lang.pick("手工登记", "typed in"))
                ))?;
            }
            Ok(0)
        }
        RecipientCmd::Remove { recipient } => {
            if seal::remove_recipient(store, recipient)? {
                print(lang.pick("已移除", "Removed"))?;
                Ok(0)
            } else {
                Err(crate::error::AppError::input(
                    format!("没有登记这个加密公钥：{recipient}"),
                    format!("No such recipient: {recipient}"),
                ))
            }
        }
    }
}

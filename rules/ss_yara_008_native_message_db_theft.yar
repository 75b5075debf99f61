// stalkerscan project rule. Matches native code (lib/<abi>/*.so extracted from an APK).
rule SS_YARA_008_native_message_db_theft
{
    meta:
        id = "SS-YARA-008"
        description = "Native library that names other apps' private message databases and runs commands as root"
        severity = "high"
        author = "stalkerscan project"
        reference = "https://source.android.com/docs/security/app-sandbox"
        scope = "elf"
    strings:
        $db1 = "/data/data/com.whatsapp/databases/msgstore.db"
        $db2 = "/data/data/org.telegram.messenger/files/cache4.db"
        $db3 = "/data/data/com.facebook.orca/databases/threads_db2"
        $db4 = "/data/data/com.android.providers.telephony/databases/mmssms.db"
        $db5 = "/data/data/com.viber.voip/databases/viber_messages"
        $root1 = "su -c"
        $root2 = "/system/xbin/su"
        $root3 = "chmod 777"
    condition:
        uint32(0) == 0x464c457f and 2 of ($db*) and any of ($root*)
}

// stalkerscan project rule. Matches DEX code, not the APK.
rule SS_YARA_002_notification_scraping
{
    meta:
        id = "SS-YARA-002"
        description = "Notification listener that reads the title and text of other apps' notifications, aimed at messengers"
        severity = "medium"
        author = "stalkerscan project"
        reference = "https://developer.android.com/reference/android/service/notification/NotificationListenerService"
        scope = "dex"
    strings:
        $nls = "Landroid/service/notification/NotificationListenerService;"
        $posted = "onNotificationPosted"
        $active = "getActiveNotifications"
        $title = "android.title"
        $text = "android.text"
        $m1 = "com.whatsapp"
        $m2 = "org.telegram.messenger"
        $m3 = "com.facebook.orca"
        $m4 = "com.snapchat.android"
        $m5 = "com.instagram.android"
        $m6 = "org.thoughtcrime.securesms"
        $m7 = "com.viber.voip"
    condition:
        uint32(0) == 0x0a786564 and $nls and $posted and $active and $title and $text
        and 2 of ($m*)
}

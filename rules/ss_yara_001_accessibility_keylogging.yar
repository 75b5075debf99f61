// stalkerscan project rule. Matches DEX code (a classes*.dex extracted from an APK), not the APK.
rule SS_YARA_001_accessibility_keylogging
{
    meta:
        id = "SS-YARA-001"
        description = "Accessibility service that reads typed text and keeps a key log: how stalkerware captures messages and passwords"
        severity = "high"
        author = "stalkerscan project"
        reference = "https://developer.android.com/reference/android/view/accessibility/AccessibilityEvent#TYPE_VIEW_TEXT_CHANGED"
        scope = "dex"
    strings:
        $svc = "Landroid/accessibilityservice/AccessibilityService;"
        $event = "onAccessibilityEvent"
        $text = "getText"
        $type = "TYPE_VIEW_TEXT_CHANGED"
        $log1 = "keylog" nocase
        $log2 = "keystroke" nocase
        $log3 = "typed_text" nocase
        $log4 = "key_logger" nocase
    condition:
        uint32(0) == 0x0a786564 and $svc and $event and $text and ($type and any of ($log*))
}

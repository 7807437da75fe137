//! MCE edit flags. Source: the `Attribute` enum of CMS MCE 2.0 43.1 as listed in
//! `shared/corpus/codesets/mce/mce_flags.csv` (flag string, Java ordinal). Every flag string
//! is one bit: diagnosis flags (ordinals 0..=31) in [`DxFlags`], procedure flags (ordinals
//! 0..=7 and 32..=64) in [`PcsFlags`].
/// Every MCE flag string, indexed by the CMS Java ordinal.
pub const FLAG_NAMES: [&str; 65] = [
    "female",
    "male",
    "nonspecific",
    "ncov6",
    "ncov7",
    "ncov_z302",
    "ncov2",
    "ncov3",
    "adult",
    "clintrial",
    "delout",
    "ecodepdx",
    "maternity",
    "diabtypeI",
    "newborn",
    "pediatric",
    "qadm",
    "reqsdx",
    "unacceptable",
    "wrngproc",
    "unspecified",
    "msp",
    "mdc08",
    "cc",
    "ncov4",
    "ncov5",
    "ncov2agelt78",
    "ncov2agelt64",
    "ncov89",
    "bmi",
    "obesity",
    "manifestation",
    "lcov_artheartxpa",
    "lcov_artheartxpb",
    "csect",
    "lcov",
    "los",
    "noncovered",
    "kidneyxp",
    "ncov45",
    "ncov12agele60",
    "vagdel",
    "biopsy",
    "bilateral",
    "or_indic",
    "ncov8",
    "ncov9",
    "lcov_artheartxp",
    "lcov_kidneyxp",
    "lcov_pancreasxp",
    "lcov_lvrs",
    "lcov_lungxp",
    "lcov_heartlungxp",
    "lcov_heartxp",
    "lcov_heartsys",
    "lcov_intxp",
    "lcov_liverxp",
    "lcov_other",
    "ncov10a",
    "ncov10b",
    "ncov10c",
    "ncov11",
    "ncov13a",
    "ncov13b",
    "ncov45a",
];

/// Bit position of an MCE flag string in [`DxFlags`] (`None` if it is not a diagnosis flag).
pub fn dx_bit(name: &str) -> Option<u32> {
    let i = FLAG_NAMES.iter().position(|n| *n == name)? as u32;
    (i < 32).then_some(i)
}

/// Bit position of an MCE flag string in [`PcsFlags`] (`None` if it is not a procedure flag).
pub fn pcs_bit(name: &str) -> Option<u32> {
    let i = FLAG_NAMES.iter().position(|n| *n == name)? as u32;
    match i {
        0..=7 => Some(i),
        32..=64 => Some(i - 24),
        _ => None,
    }
}

/// MCE flags on an ICD-10-CM code in one validity period (a copyable bitset).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DxFlags(pub u32);

/// MCE flags on an ICD-10-PCS code in one validity period (a copyable bitset).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PcsFlags(pub u64);

impl DxFlags {
    pub const FEMALE: DxFlags = DxFlags(1 << 0);
    pub const MALE: DxFlags = DxFlags(1 << 1);
    pub const NONSPECIFIC: DxFlags = DxFlags(1 << 2);
    pub const NCOV6: DxFlags = DxFlags(1 << 3);
    pub const NCOV7: DxFlags = DxFlags(1 << 4);
    pub const NCOV_Z302: DxFlags = DxFlags(1 << 5);
    pub const NCOV2: DxFlags = DxFlags(1 << 6);
    pub const NCOV3: DxFlags = DxFlags(1 << 7);
    pub const ADULT: DxFlags = DxFlags(1 << 8);
    pub const CLINTRIAL: DxFlags = DxFlags(1 << 9);
    pub const DELOUT: DxFlags = DxFlags(1 << 10);
    pub const ECODEPDX: DxFlags = DxFlags(1 << 11);
    pub const MATERNITY: DxFlags = DxFlags(1 << 12);
    pub const DIABTYPEI: DxFlags = DxFlags(1 << 13);
    pub const NEWBORN: DxFlags = DxFlags(1 << 14);
    pub const PEDIATRIC: DxFlags = DxFlags(1 << 15);
    pub const QADM: DxFlags = DxFlags(1 << 16);
    pub const REQSDX: DxFlags = DxFlags(1 << 17);
    pub const UNACCEPTABLE: DxFlags = DxFlags(1 << 18);
    pub const WRNGPROC: DxFlags = DxFlags(1 << 19);
    pub const UNSPECIFIED: DxFlags = DxFlags(1 << 20);
    pub const MSP: DxFlags = DxFlags(1 << 21);
    pub const MDC08: DxFlags = DxFlags(1 << 22);
    pub const CC: DxFlags = DxFlags(1 << 23);
    pub const NCOV4: DxFlags = DxFlags(1 << 24);
    pub const NCOV5: DxFlags = DxFlags(1 << 25);
    pub const NCOV2AGELT78: DxFlags = DxFlags(1 << 26);
    pub const NCOV2AGELT64: DxFlags = DxFlags(1 << 27);
    pub const NCOV89: DxFlags = DxFlags(1 << 28);
    pub const BMI: DxFlags = DxFlags(1 << 29);
    pub const OBESITY: DxFlags = DxFlags(1 << 30);
    pub const MANIFESTATION: DxFlags = DxFlags(1 << 31);

    pub const EMPTY: DxFlags = DxFlags(0);
    pub fn contains(self, other: DxFlags) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The MCE flag strings set, in CMS ordinal order.
    pub fn names(self) -> Vec<&'static str> {
        (0..32).filter(|b| self.0 >> b & 1 == 1).map(|b| FLAG_NAMES[b as usize]).collect()
    }
    /// Parse space-separated MCE flag strings; `Err(flag)` on an unknown or wrong-kind flag.
    pub fn parse(s: &str) -> Result<DxFlags, String> {
        let mut v = 0;
        for f in s.split_ascii_whitespace() {
            let b = dx_bit(f).ok_or_else(|| f.to_string())?;
            v |= 1 << b;
        }
        Ok(DxFlags(v))
    }
    pub fn newborn(self) -> bool {
        self.contains(Self::NEWBORN)
    }
    pub fn pediatric(self) -> bool {
        self.contains(Self::PEDIATRIC)
    }
    pub fn maternity(self) -> bool {
        self.contains(Self::MATERNITY)
    }
    pub fn adult(self) -> bool {
        self.contains(Self::ADULT)
    }
    pub fn female(self) -> bool {
        self.contains(Self::FEMALE)
    }
    pub fn male(self) -> bool {
        self.contains(Self::MALE)
    }
    pub fn manifestation(self) -> bool {
        self.contains(Self::MANIFESTATION)
    }
    pub fn ecodepdx(self) -> bool {
        self.contains(Self::ECODEPDX)
    }
    pub fn unacceptable_pdx(self) -> bool {
        self.contains(Self::UNACCEPTABLE)
    }
    pub fn requires_sdx(self) -> bool {
        self.contains(Self::REQSDX)
    }
    pub fn questionable_admission(self) -> bool {
        self.contains(Self::QADM)
    }
    pub fn unspecified(self) -> bool {
        self.contains(Self::UNSPECIFIED)
    }
    pub fn wrong_procedure(self) -> bool {
        self.contains(Self::WRNGPROC)
    }
    pub fn nonspecific(self) -> bool {
        self.contains(Self::NONSPECIFIC)
    }
    pub fn delivery_outcome(self) -> bool {
        self.contains(Self::DELOUT)
    }
}

impl std::ops::BitOr for DxFlags {
    type Output = DxFlags;
    fn bitor(self, o: DxFlags) -> DxFlags {
        DxFlags(self.0 | o.0)
    }
}

impl std::fmt::Debug for DxFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DxFlags({})", self.names().join(" "))
    }
}

impl PcsFlags {
    pub const FEMALE: PcsFlags = PcsFlags(1 << 0);
    pub const MALE: PcsFlags = PcsFlags(1 << 1);
    pub const NONSPECIFIC: PcsFlags = PcsFlags(1 << 2);
    pub const NCOV6: PcsFlags = PcsFlags(1 << 3);
    pub const NCOV7: PcsFlags = PcsFlags(1 << 4);
    pub const NCOV_Z302: PcsFlags = PcsFlags(1 << 5);
    pub const NCOV2: PcsFlags = PcsFlags(1 << 6);
    pub const NCOV3: PcsFlags = PcsFlags(1 << 7);
    pub const LCOV_ARTHEARTXPA: PcsFlags = PcsFlags(1 << 8);
    pub const LCOV_ARTHEARTXPB: PcsFlags = PcsFlags(1 << 9);
    pub const CSECT: PcsFlags = PcsFlags(1 << 10);
    pub const LCOV: PcsFlags = PcsFlags(1 << 11);
    pub const LOS: PcsFlags = PcsFlags(1 << 12);
    pub const NONCOVERED: PcsFlags = PcsFlags(1 << 13);
    pub const KIDNEYXP: PcsFlags = PcsFlags(1 << 14);
    pub const NCOV45: PcsFlags = PcsFlags(1 << 15);
    pub const NCOV12AGELE60: PcsFlags = PcsFlags(1 << 16);
    pub const VAGDEL: PcsFlags = PcsFlags(1 << 17);
    pub const BIOPSY: PcsFlags = PcsFlags(1 << 18);
    pub const BILATERAL: PcsFlags = PcsFlags(1 << 19);
    pub const OR_INDIC: PcsFlags = PcsFlags(1 << 20);
    pub const NCOV8: PcsFlags = PcsFlags(1 << 21);
    pub const NCOV9: PcsFlags = PcsFlags(1 << 22);
    pub const LCOV_ARTHEARTXP: PcsFlags = PcsFlags(1 << 23);
    pub const LCOV_KIDNEYXP: PcsFlags = PcsFlags(1 << 24);
    pub const LCOV_PANCREASXP: PcsFlags = PcsFlags(1 << 25);
    pub const LCOV_LVRS: PcsFlags = PcsFlags(1 << 26);
    pub const LCOV_LUNGXP: PcsFlags = PcsFlags(1 << 27);
    pub const LCOV_HEARTLUNGXP: PcsFlags = PcsFlags(1 << 28);
    pub const LCOV_HEARTXP: PcsFlags = PcsFlags(1 << 29);
    pub const LCOV_HEARTSYS: PcsFlags = PcsFlags(1 << 30);
    pub const LCOV_INTXP: PcsFlags = PcsFlags(1 << 31);
    pub const LCOV_LIVERXP: PcsFlags = PcsFlags(1 << 32);
    pub const LCOV_OTHER: PcsFlags = PcsFlags(1 << 33);
    pub const NCOV10A: PcsFlags = PcsFlags(1 << 34);
    pub const NCOV10B: PcsFlags = PcsFlags(1 << 35);
    pub const NCOV10C: PcsFlags = PcsFlags(1 << 36);
    pub const NCOV11: PcsFlags = PcsFlags(1 << 37);
    pub const NCOV13A: PcsFlags = PcsFlags(1 << 38);
    pub const NCOV13B: PcsFlags = PcsFlags(1 << 39);
    pub const NCOV45A: PcsFlags = PcsFlags(1 << 40);

    pub const EMPTY: PcsFlags = PcsFlags(0);
    pub fn contains(self, other: PcsFlags) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The MCE flag strings set, in CMS ordinal order.
    pub fn names(self) -> Vec<&'static str> {
        (0..41)
            .filter(|b| self.0 >> b & 1 == 1)
            .map(|b| FLAG_NAMES[if b < 8 { b as usize } else { b as usize + 24 }])
            .collect()
    }
    /// Parse space-separated MCE flag strings; `Err(flag)` on an unknown or wrong-kind flag.
    pub fn parse(s: &str) -> Result<PcsFlags, String> {
        let mut v = 0;
        for f in s.split_ascii_whitespace() {
            let b = pcs_bit(f).ok_or_else(|| f.to_string())?;
            v |= 1 << b;
        }
        Ok(PcsFlags(v))
    }
    pub fn female(self) -> bool {
        self.contains(Self::FEMALE)
    }
    pub fn male(self) -> bool {
        self.contains(Self::MALE)
    }
    pub fn noncovered(self) -> bool {
        self.contains(Self::NONCOVERED)
    }
    pub fn limited_coverage(self) -> bool {
        self.contains(Self::LCOV)
    }
    pub fn los(self) -> bool {
        self.contains(Self::LOS)
    }
    pub fn csect(self) -> bool {
        self.contains(Self::CSECT)
    }
    pub fn vagdel(self) -> bool {
        self.contains(Self::VAGDEL)
    }
}

impl std::ops::BitOr for PcsFlags {
    type Output = PcsFlags;
    fn bitor(self, o: PcsFlags) -> PcsFlags {
        PcsFlags(self.0 | o.0)
    }
}

impl std::fmt::Debug for PcsFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PcsFlags({})", self.names().join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn roundtrip() {
        let f = DxFlags::parse("maternity unspecified diabtypeI").unwrap();
        assert!(f.maternity() && f.unspecified() && f.contains(DxFlags::DIABTYPEI));
        assert_eq!(f.names(), vec!["maternity", "diabtypeI", "unspecified"]);
        let p = PcsFlags::parse("ncov45a los female").unwrap();
        assert!(p.los() && p.female() && p.contains(PcsFlags::NCOV45A));
        assert!(DxFlags::parse("los").is_err());
    }
}

//! Partners (G-7) as use cases: partners, agreements, referral links, referrals, follow-ups.

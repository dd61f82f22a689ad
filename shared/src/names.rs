//! Enums named by plain strings on the wire, in storage and in ids, written once: [`named!`] makes the enum, its
//! `ALL` list, `as_str`, `parse` and its serde form from one list of variants and names, so the four can never
//! disagree.

/// An enum whose variants are named by strings: `named! { pub enum Role { ServiceUser = "service_user", … } }`.
/// Attributes before the enum (docs, `#[derive(Default)]`) and before each variant (docs, `#[default]`) are kept.
#[macro_export]
macro_rules! named {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in order.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];
            /// Every name, in the same order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The stable name used on the wire and in storage.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::unknown_variant(&s, $name::NAMES))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    named! {
        /// A test enum.
        #[derive(Default)]
        pub enum Colour {
            #[default]
            Red = "red",
            DeepBlue = "deep_blue",
        }
    }

    #[test]
    fn names_round_trip_through_every_form() {
        assert_eq!(Colour::ALL, [Colour::Red, Colour::DeepBlue]);
        assert_eq!(Colour::default(), Colour::Red);
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), c);
        }
        let e = serde_json::from_str::<Colour>("\"green\"").unwrap_err().to_string();
        assert!(e.contains("unknown variant `green`") && e.contains("deep_blue"), "{e}");
        assert_eq!(Colour::parse("Red"), None);
    }
}

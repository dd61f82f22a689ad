//! The one translation catalogue. Every string the app shows comes from here, in English and Welsh.
//!
//! Add a message by adding one line to `catalogue!`: the macro makes it impossible to add a key without both
//! languages. Placeholders are written `{name}` and filled with [`fill`].

use serde::{Deserialize, Serialize};

/// A language a person can use Waymark in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "cy")]
    Cy,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Cy];

    /// The BCP 47 code, as used in `<html lang>` and in storage.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Cy => "cy",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's name in itself, as a language switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Cy => "Cymraeg",
        }
    }
}

macro_rules! catalogue {
    ($($key:ident => $en:literal, $cy:literal;)*) => {
        /// A message in the catalogue.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($key),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            /// This message in the given language.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$key, Lang::En) => $en, (Msg::$key, Lang::Cy) => $cy,)*
                }
            }
        }
    };
}

catalogue! {
    AppName => "Waymark", "Waymark";
    Tagline => "Planning recovery together", "Cynllunio adferiad gyda'n gilydd";
    SkipToContent => "Skip to main content", "Neidio i'r prif gynnwys";
    Loading => "Loading…", "Yn llwytho…";
    Language => "Language", "Iaith";

    SignInTitle => "Sign in to Waymark", "Mewngofnodi i Waymark";
    Username => "Username", "Enw defnyddiwr";
    Password => "Password", "Cyfrinair";
    SignIn => "Sign in", "Mewngofnodi";
    SigningIn => "Signing in…", "Yn mewngofnodi…";
    SignOut => "Sign out", "Allgofnodi";
    SignedInAs => "Signed in as {name} ({role})", "Wedi mewngofnodi fel {name} ({role})";
    HelloName => "Hello, {name}", "Helo, {name}";

    RoleServiceUser => "Service user", "Defnyddiwr gwasanaeth";
    RoleKeyWorker => "Key worker", "Gweithiwr allweddol";
    RoleStaff => "Staff member", "Aelod o staff";
    RoleWardManager => "Ward manager", "Rheolwr ward";
    RoleCarer => "Carer", "Gofalwr";
    RoleAdmin => "Administrator", "Gweinyddwr";
    RelationStaff => "Care team staff", "Staff y tîm gofal";

    Ward => "Ward", "Ward";
    MyCaseload => "People I work with", "Y bobl rwy'n gweithio gyda nhw";
    WardPeople => "People on the ward", "Pobl ar y ward";
    CaseloadEmpty => "No one is on your caseload yet.", "Does neb ar eich llwyth achosion eto.";
    PersonISupport => "The person you support", "Y person rydych chi'n ei gefnogi";
    NotLinkedYet => "You are not linked to anyone yet. Ward staff can link you.", "Nid ydych wedi'ch cysylltu ag unrhyw un eto. Gall staff y ward eich cysylltu.";
    OpenMyPage => "Open my page", "Agor fy nhudalen";
    MyPage => "My page", "Fy nhudalen";
    MyPageIntro => "This is your space. You and your care team plan your recovery together here.", "Dyma eich lle chi. Rydych chi a'ch tîm gofal yn cynllunio eich adferiad gyda'ch gilydd yma.";
    CarerPageIntro => "You can see what {name} has chosen to share with you.", "Gallwch weld yr hyn y mae {name} wedi dewis ei rannu â chi.";
    StaffPageIntro => "Recovery planning with {name}.", "Cynllunio adferiad gyda {name}.";
    CareTeam => "Care team", "Tîm gofal";
    MyCareTeam => "My care team", "Fy nhîm gofal";
    AdminIntro => "You look after accounts. Clinical records are not shown to administrators.", "Rydych chi'n gofalu am gyfrifon. Nid yw cofnodion clinigol yn cael eu dangos i weinyddwyr.";
    BackHome => "Back to home", "Yn ôl i'r hafan";
    PageNotFound => "We couldn't find that page.", "Doedd dim modd dod o hyd i'r dudalen honno.";

    ErrorInvalidInput => "Please check what you entered and try again.", "Gwiriwch yr hyn a roesoch a rhowch gynnig arall arni.";
    ErrorTooLarge => "That is too much to send at once.", "Mae hynny'n ormod i'w anfon ar unwaith.";
    ErrorNotSignedIn => "Please sign in to carry on.", "Mewngofnodwch i barhau.";
    ErrorBadCredentials => "That username and password don't match. Please try again.", "Nid yw'r enw defnyddiwr a'r cyfrinair yn cyfateb. Rhowch gynnig arall arni.";
    ErrorTooManyAttempts => "Too many tries. Please wait a few minutes, or ask staff for help.", "Gormod o ymdrechion. Arhoswch ychydig funudau, neu gofynnwch i'r staff am help.";
    ErrorSessionExpired => "Your session has ended. Please reload the page and sign in again.", "Mae eich sesiwn wedi dod i ben. Ail-lwythwch y dudalen a mewngofnodwch eto.";
    ErrorNotFound => "That record isn't available to you.", "Nid yw'r cofnod hwnnw ar gael i chi.";
    ErrorServer => "Something went wrong on our side. Please try again soon.", "Aeth rhywbeth o'i le ar ein hochr ni. Rhowch gynnig arall arni cyn bo hir.";
    ErrorUpdateApp => "This copy of Waymark is out of date. Please reload the page to update it; your saved changes are kept.", "Mae'r copi hwn o Waymark wedi dyddio. Ail-lwythwch y dudalen i'w ddiweddaru; mae eich newidiadau wedi'u cadw.";
    ErrorTooManyVersions => "Several different versions of this are already waiting to be settled. Please settle them first, then make your change.", "Mae sawl fersiwn wahanol o hyn eisoes yn aros i gael eu datrys. Datryswch nhw yn gyntaf, yna gwnewch eich newid.";
    ErrorNetwork => "Can't reach Waymark right now. Check the Wi-Fi and try again.", "Methu cyrraedd Waymark ar hyn o bryd. Gwiriwch y Wi-Fi a rhowch gynnig arall arni.";

    SyncSaved => "All saved here", "Popeth wedi'i gadw yma";
    SyncWaitingOne => "1 change waiting to be sent", "1 newid yn aros i gael ei anfon";
    SyncWaitingMany => "{n} changes waiting to be sent", "{n} o newidiadau yn aros i gael eu hanfon";
    SyncOffline => "Offline — changes are saved on this device", "All-lein — mae newidiadau'n cael eu cadw ar y ddyfais hon";
    SyncProgress => "Sending… {done} of {total}", "Yn anfon… {done} o {total}";
    SyncAttention => "Needs your attention ({n})", "Angen eich sylw ({n})";
    SyncUpdateApp => "Please reload to update", "Ail-lwythwch i ddiweddaru";
    AttentionIntro => "Waymark could not accept these changes. They are kept here so nothing is lost.", "Doedd Waymark ddim yn gallu derbyn y newidiadau hyn. Maen nhw'n cael eu cadw yma fel nad oes dim yn mynd ar goll.";
    AttentionComment => "Comment", "Sylw";
    AttentionRemoval => "Removing or restoring a comment", "Tynnu neu adfer sylw";
    AttentionReading => "A change to a reading", "Newid i ddarlleniad";
    AttentionGoal => "A change to a goal or a step", "Newid i nod neu gam";
    AttentionSharing => "A change to what carers see", "Newid i'r hyn y mae gofalwyr yn ei weld";
    Dismiss => "Dismiss", "Diystyru";
    OpenInAnotherTab => "Waymark is open in another tab or window on this device. Please carry on there; this one will take over when that one is closed.", "Mae Waymark ar agor mewn tab neu ffenestr arall ar y ddyfais hon. Daliwch ati yno; bydd yr un yma'n cymryd drosodd pan fydd yr un arall wedi cau.";
    StoreUnavailable => "This device can't save changes right now, so editing is paused. Please ask staff for help.", "Dydy'r ddyfais hon ddim yn gallu cadw newidiadau ar hyn o bryd, felly mae golygu wedi'i oedi. Gofynnwch i'r staff am help.";
    SignOutWaiting => "{n} changes made here have not been sent yet. They stay safely on this device and are sent the next time you sign in here. Sign out anyway?", "Dydy {n} o newidiadau a wnaed yma ddim wedi'u hanfon eto. Byddan nhw'n aros yn ddiogel ar y ddyfais hon ac yn cael eu hanfon y tro nesaf y byddwch chi'n mewngofnodi yma. Allgofnodi beth bynnag?";

    AboutMe => "About me", "Amdanaf i";
    AboutMeEditable => "Written in the person's own words, with their key worker.", "Wedi'i ysgrifennu yng ngeiriau'r person ei hun, gyda'r gweithiwr allweddol.";
    AboutMeReadOnly => "Only the person and their key worker can change this.", "Dim ond y person a'r gweithiwr allweddol sy'n gallu newid hyn.";
    PreferredName => "Preferred name", "Enw dewisol";
    WhatMattersToMe => "What matters to me", "Beth sy'n bwysig i mi";
    MyStrengths => "My strengths", "Fy nghryfderau";
    MyHopes => "My hopes for the future", "Fy ngobeithion ar gyfer y dyfodol";
    NotWrittenYet => "Not written yet", "Heb ei ysgrifennu eto";
    Save => "Save", "Cadw";
    Saving => "Saving…", "Yn cadw…";
    SavedHere => "Saved on this device", "Wedi'i gadw ar y ddyfais hon";
    Synced => "Sent", "Wedi'i anfon";
    SaveFailed => "Couldn't save this on the device. Please try again.", "Methu cadw hyn ar y ddyfais. Rhowch gynnig arall arni.";
    TooLong => "This is too long: please keep it under {max} characters.", "Mae hyn yn rhy hir: cadwch ef o dan {max} nod.";
    ConflictIntro => "Different versions of this were written at the same time. Please keep one, or write a combined version.", "Cafodd fersiynau gwahanol o hyn eu hysgrifennu ar yr un pryd. Cadwch un, neu ysgrifennwch fersiwn gyfun.";
    ConflictBeingSettled => "Being settled: different versions of this were written at the same time.", "Wrthi'n cael ei ddatrys: cafodd fersiynau gwahanol o hyn eu hysgrifennu ar yr un pryd.";
    KeepThisVersion => "Keep this version", "Cadw'r fersiwn hon";
    WriteCombined => "Write a combined version", "Ysgrifennu fersiwn gyfun";
    SaveCombined => "Save combined version", "Cadw'r fersiwn gyfun";
    Cancel => "Cancel", "Canslo";
    EmptyVersion => "(left empty)", "(wedi'i adael yn wag)";

    Comments => "Comments", "Sylwadau";
    NoCommentsYet => "No comments yet.", "Dim sylwadau eto.";
    WriteComment => "Write a comment", "Ysgrifennu sylw";
    AddComment => "Add comment", "Ychwanegu sylw";
    RemoveComment => "Remove", "Tynnu";
    RestoreComment => "Restore", "Adfer";
    Undo => "Undo", "Dadwneud";
    CommentRemoved => "You removed this comment. Only you can see it.", "Rydych chi wedi tynnu'r sylw hwn. Dim ond chi sy'n gallu ei weld.";
    WaitingToSync => "Waiting to be sent", "Yn aros i gael ei anfon";
    OfflineCopy => "You're offline: this is the copy saved on this device.", "Rydych chi all-lein: dyma'r copi sydd wedi'i gadw ar y ddyfais hon.";
    PartNotLoaded => "This part of Waymark could not be loaded: the network may have dropped, or Waymark has been updated. What is saved stays on this device.", "Nid oedd modd llwytho'r rhan hon o Waymark: efallai fod y rhwydwaith wedi torri, neu fod Waymark wedi'i diweddaru. Mae'r hyn sydd wedi'i gadw yn aros ar y ddyfais hon.";
    LoadWaymarkAgain => "Load Waymark again", "Llwytho Waymark eto";

    // == Tracker: readings (pages/tracker, components/reading) ==
    TrackerTitle => "Recovery tracker", "Traciwr adferiad";
    TrackerOpen => "Open the recovery tracker", "Agor y traciwr adferiad";
    TrackerIntro => "How things are going in each area of life, looked at together over time.", "Sut mae pethau'n mynd ym mhob maes bywyd, wedi'u hystyried gyda'n gilydd dros amser.";
    TrackerFramework => "Which areas to look at", "Pa feysydd i edrych arnynt";
    TrackerStartReading => "Start a new reading", "Dechrau darlleniad newydd";
    TrackerReadingDate => "Date of the reading", "Dyddiad y darlleniad";
    TrackerReadings => "Readings", "Darlleniadau";
    TrackerNoReadings => "No readings yet. Start one together when you are ready.", "Dim darlleniadau eto. Dechreuwch un gyda'ch gilydd pan fyddwch yn barod.";
    TrackerOpenReading => "Open", "Agor";
    TrackerCompareWith => "Compare with another reading", "Cymharu â darlleniad arall";
    TrackerCompareNone => "No other reading", "Dim darlleniad arall";
    TrackerShowTable => "Show the numbers as a table", "Dangos y rhifau fel tabl";
    TrackerShowChart => "Show the chart", "Dangos y siart";
    TrackerTapArea => "Choose an area to see how it has changed over time.", "Dewiswch faes i weld sut mae wedi newid dros amser.";
    TrackerBackToPerson => "Back to the person's page", "Yn ôl i dudalen yr unigolyn";
    TrackerBackToTracker => "Back to the recovery tracker", "Yn ôl i'r traciwr adferiad";
    TrackerSharing => "Sharing with carers", "Rhannu gyda gofalwyr";
    TrackerSharingHint => "You decide whether your carers see your readings, goals and steps. You can change this at any time.", "Chi sy'n penderfynu a yw eich gofalwyr yn gweld eich darlleniadau, nodau a chamau. Gallwch newid hyn unrhyw bryd.";
    TrackerShareWith => "Share my recovery tracker with {name}", "Rhannu fy nhraciwr adferiad gyda {name}";
    TrackerNotShared => "{name} has not shared their recovery tracker with you.", "Nid yw {name} wedi rhannu'r traciwr adferiad gyda chi.";
    TrackerNoCarers => "No carers are linked yet.", "Nid oes gofalwyr wedi'u cysylltu eto.";
    TrackerStepsToReview => "Steps to look at today", "Camau i edrych arnynt heddiw";
    ReadingOn => "Reading on {date}", "Darlleniad ar {date}";
    ReadingUsing => "Looking at: {name}", "Yn edrych ar: {name}";
    ReadingWhoWasThere => "Who was there", "Pwy oedd yno";
    ReadingPresentPerson => "The person", "Yr unigolyn";
    ReadingPresentKeyWorker => "Key worker", "Gweithiwr allweddol";
    ReadingPresentOtherStaff => "Other staff", "Staff eraill";
    ReadingPresentCarer => "Carer", "Gofalwr";
    ReadingRaterPerson => "The person's view", "Barn yr unigolyn";
    ReadingRaterStaff => "Staff view", "Barn y staff";
    ReadingRaterCarer => "Carer's view", "Barn y gofalwr";
    ReadingRaterAgreed => "What we agreed", "Yr hyn a gytunwyd";
    ReadingViewsDiffer => "You see this differently. That's fine: say why, so it is remembered.", "Rydych chi'n gweld hyn yn wahanol. Mae hynny'n iawn: dywedwch pam, fel ei fod yn cael ei gofio.";
    ReadingWhyDifferent => "Why the views differ", "Pam mae'r barnau'n wahanol";
    ReadingNote => "Note", "Nodyn";
    ReadingMoreHelp => "Would you like more help with this?", "Hoffech chi fwy o help gyda hyn?";
    ReadingYes => "Yes", "Hoffwn";
    ReadingNo => "No", "Na";
    ReadingNotRated => "Not rated yet", "Heb ei sgorio eto";
    ReadingLayout => "How to show the areas", "Sut i ddangos y meysydd";
    ReadingOneAtATime => "One area at a time", "Un maes ar y tro";
    ReadingAllAtAGlance => "All areas at a glance", "Pob maes ar unwaith";
    ReadingAreas => "Areas", "Meysydd";
    ReadingPreviousArea => "Previous area", "Maes blaenorol";
    ReadingNextArea => "Next area", "Maes nesaf";
    ReadingAreaOf => "Area {n} of {total}", "Maes {n} o {total}";
    ReadingUndo => "Undo last change", "Dadwneud y newid olaf";
    ReadingNotHere => "This reading is not on this tablet yet. It will appear when it syncs.", "Nid yw'r darlleniad hwn ar y dabled hon eto. Bydd yn ymddangos pan fydd yn cysoni.";
    ReadingFrameworkUnknown => "This tablet does not know the set of areas this reading uses yet. Connect to the network to fetch it.", "Nid yw'r dabled hon yn adnabod y set o feysydd y mae'r darlleniad hwn yn ei defnyddio eto. Cysylltwch â'r rhwydwaith i'w chael.";
    ReadingConflict => "Two versions were saved at the same time. Choose the one to keep.", "Cafodd dwy fersiwn eu cadw ar yr un pryd. Dewiswch yr un i'w chadw.";
    ReadingKeepThis => "Keep this one", "Cadw hon";
    TrackerGoals => "Goals", "Nodau";
    TrackerGoalsNone => "No goals yet. What would you like to work towards?", "Dim nodau eto. Tuag at beth hoffech chi weithio?";
    TrackerGoalNew => "A new goal, in the person's own words", "Nod newydd, yng ngeiriau'r unigolyn ei hun";
    TrackerGoalAreas => "Areas this goal is about", "Meysydd y mae'r nod hwn yn ymwneud â nhw";
    TrackerGoalAdd => "Add goal", "Ychwanegu nod";
    TrackerGoalStatus => "Where it stands", "Ble mae pethau arni";
    TrackerGoalProposed => "Suggested", "Wedi'i awgrymu";
    TrackerGoalActive => "Working on it", "Wrthi'n gweithio arno";
    TrackerGoalOnHold => "On hold", "Wedi'i ohirio";
    TrackerGoalAchieved => "Achieved", "Wedi'i gyflawni";
    TrackerGoalNotAchieved => "Not achieved this time", "Heb ei gyflawni y tro hwn";
    TrackerPrompts => "Thinking it through", "Meddwl y peth drwodd";
    TrackerPromptGoingWell => "What is going well?", "Beth sy'n mynd yn dda?";
    TrackerPromptSmallStep => "What would be a small step forward?", "Beth fyddai cam bach ymlaen?";
    TrackerPromptWhoCouldHelp => "Who could help?", "Pwy allai helpu?";
    TrackerSteps => "Steps", "Camau";
    TrackerStepNew => "A small step towards this goal", "Cam bach tuag at y nod hwn";
    TrackerStepOwner => "Who will do it", "Pwy fydd yn ei wneud";
    TrackerStepOwnerMe => "The person", "Yr unigolyn";
    TrackerStepOwnerKeyWorker => "Key worker", "Gweithiwr allweddol";
    TrackerStepOwnerCarer => "Carer", "Gofalwr";
    TrackerStepOwnerSomeoneElse => "Someone else", "Rhywun arall";
    TrackerStepOwnerName => "Their name", "Eu henw";
    TrackerStepDue => "By when", "Erbyn pryd";
    TrackerStepAdd => "Add step", "Ychwanegu cam";
    TrackerStepDueOn => "By {date}", "Erbyn {date}";
    TrackerStepOverdue => "Overdue", "Yn hwyr";
    TrackerStepMarkDone => "Done", "Wedi'i wneud";
    TrackerDueNone => "No steps are due. Well done.", "Does dim camau'n ddyledus. Da iawn.";

    // == Tracker: chart, trend and table (components/chart) ==
    ChartFirstReading => "First reading ({date})", "Darlleniad cyntaf ({date})";
    ChartLatestReading => "Latest reading ({date})", "Darlleniad diweddaraf ({date})";
    ChartPickedReading => "Reading you picked ({date})", "Y darlleniad a ddewisoch chi ({date})";
    ChartSummary => "Chart of {framework}: {readings}.", "Siart {framework}: {readings}.";
    ChartHowToRead => "Each area is a spoke of the wheel, from {min} near the centre to {max} at the edge. An area left without a point was not rated.", "Mae pob maes yn un o adenydd yr olwyn, o {min} ger y canol i {max} ar yr ymyl. Ni chafodd maes heb bwynt ei sgorio.";
    ChartKey => "Key", "Allwedd";
    ChartAreas => "Areas", "Meysydd";
    ChartAreaButton => "{area}: see how it has changed", "{area}: gweld sut mae wedi newid";
    ChartArea => "Area", "Maes";
    ChartNotRated => "Not rated", "Heb ei sgorio";
    ChartNoDistance => "Not rated both times", "Heb ei sgorio'r ddau dro";
    ChartDistance => "Change since the first reading", "Newid ers y darlleniad cyntaf";
    ChartOverall => "Overall", "At ei gilydd";
    ChartTableCaption => "{framework}: the readings as numbers", "{framework}: y darlleniadau fel rhifau";
    ChartTrendTitle => "How {area} has changed over time", "Sut mae {area} wedi newid dros amser";
    ChartTrendSummary => "{count} readings, from {first} to {last}.", "{count} darlleniad, o {first} i {last}.";
    ChartTrendNone => "Not rated in any reading yet.", "Heb ei sgorio mewn unrhyw ddarlleniad eto.";
    ChartMonths => "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", "Ion Chwef Maw Ebr Mai Meh Gorff Awst Medi Hyd Tach Rhag";

    // == Carers joining with an invitation (pages/join, components/invite) ==
    InviteCarer => "Invite a carer", "Gwahodd gofalwr";
    InviteHint => "Give this code (or the link) to the carer. It works once, for 14 days, and links their new account to {name}. {name} still decides what the carer sees.", "Rhowch y cod hwn (neu'r ddolen) i'r gofalwr. Mae'n gweithio unwaith, am 14 diwrnod, ac mae'n cysylltu eu cyfrif newydd â {name}. {name} sy'n dal i benderfynu beth mae'r gofalwr yn ei weld.";
    InviteCode => "Invitation code", "Cod gwahoddiad";
    InviteLink => "Link", "Dolen";
    InviteExpires => "Works until {date}", "Yn gweithio tan {date}";
    JoinTitle => "Join as a carer", "Ymuno fel gofalwr";
    JoinIntro => "Use the code the care team gave you to make your account. You will see only what the person chooses to share with you.", "Defnyddiwch y cod a gawsoch gan y tîm gofal i greu eich cyfrif. Dim ond yr hyn y mae'r person yn dewis ei rannu gyda chi y byddwch yn ei weld.";
    JoinName => "Your name", "Eich enw";
    JoinPasswordHint => "At least 10 characters.", "O leiaf 10 nod.";
    JoinSubmit => "Make my account", "Creu fy nghyfrif";
    JoinHaveCode => "Have an invitation code from a care team?", "Oes gennych god gwahoddiad gan dîm gofal?";
    JoinCodeNotValid => "That invitation code is not right, was used already, or has expired. Ask the care team for a new one.", "Nid yw'r cod gwahoddiad yna'n gywir, neu fe'i defnyddiwyd eisoes, neu mae wedi dod i ben. Gofynnwch i'r tîm gofal am un newydd.";
    JoinUsernameTaken => "That username is taken. Choose another.", "Mae'r enw defnyddiwr yna wedi'i gymryd. Dewiswch un arall.";

    // == Tracker: goals and steps (components/goals) ==

    // == Safety plan (pages/plan, components/safety_plan, components/plan_print) ==
    PlanOpen => "Open the safety plan", "Agor y cynllun diogelwch";
    PlanTitle => "Safety plan", "Cynllun diogelwch";
    PlanIntro => "A plan written together for staying safe and well. Each item shows who wrote it and when.", "Cynllun wedi'i ysgrifennu gyda'n gilydd i aros yn ddiogel ac yn iach. Mae pob eitem yn dangos pwy a'i hysgrifennodd a phryd.";
    PlanSecTriggers => "What can set things off for me", "Beth all godi pethau i mi";
    PlanSecWarningSigns => "Early signs that I am not doing well", "Arwyddion cynnar nad ydw i'n gwneud yn dda";
    PlanSecEscalation => "How things can build up for me", "Sut gall pethau gynyddu i mi";
    PlanSecICanDo => "What I can do", "Beth alla i ei wneud";
    PlanSecStaffCanDo => "What staff can do", "Beth all staff ei wneud";
    PlanSecCarerCanDo => "What my carer or family can do", "Beth all fy ngofalwr neu fy nheulu ei wneud";
    PlanSecPeoplePlaces => "People and places that help", "Pobl a lleoedd sy'n helpu";
    PlanSecReasonsForHope => "What matters to me, and my reasons for hope", "Beth sy'n bwysig i mi, a'm rhesymau dros obaith";
    PlanSecSaferSurroundings => "Making my surroundings safer", "Gwneud fy amgylchedd yn fwy diogel";
    PlanSecContacts => "Who to contact, and how", "Pwy i gysylltu â nhw, a sut";
    PlanSecStaffOnly => "Staff-only notes", "Nodiadau staff yn unig";
    PlanEasyTriggers => "Things that upset me", "Pethau sy'n fy nghynhyrfu";
    PlanEasyWarningSigns => "Signs I am not OK", "Arwyddion nad ydw i'n iawn";
    PlanEasyEscalation => "When things get worse", "Pan fydd pethau'n gwaethygu";
    PlanEasyICanDo => "Things I can do", "Pethau y galla i eu gwneud";
    PlanEasyStaffCanDo => "How staff can help me", "Sut gall staff fy helpu";
    PlanEasyCarerCanDo => "How my family can help me", "Sut gall fy nheulu fy helpu";
    PlanEasyPeoplePlaces => "People and places I like", "Pobl a lleoedd rwy'n eu hoffi";
    PlanEasyReasonsForHope => "Things that matter to me", "Pethau sy'n bwysig i mi";
    PlanEasySaferSurroundings => "Keeping my space safe", "Cadw fy lle yn ddiogel";
    PlanEasyContacts => "Who I can talk to", "Gyda phwy y galla i siarad";
    PlanStaffOnlyHint => "Only staff see these notes. They are never sent to {name}'s device or a carer's.", "Dim ond staff sy'n gweld y nodiadau hyn. Nid ydynt byth yn cael eu hanfon i ddyfais {name} nac i ddyfais gofalwr.";
    PlanNoItems => "Nothing here yet.", "Dim byd yma eto.";
    PlanNewItem => "Add something", "Ychwanegu rhywbeth";
    PlanAdd => "Add", "Ychwanegu";
    PlanAddedBy => "Added by {who}", "Ychwanegwyd gan {who}";
    PlanChangedBy => "changed by {who}", "newidiwyd gan {who}";
    PlanEdit => "Change", "Newid";
    PlanSave => "Save", "Cadw";
    PlanCancel => "Cancel", "Canslo";
    PlanRemove => "Take out", "Tynnu allan";
    PlanPutBack => "Put back", "Rhoi'n ôl";
    PlanTakenOut => "Taken out ({count})", "Wedi'u tynnu allan ({count})";
    PlanSetting => "Where I am now", "Ble ydw i nawr";
    PlanSettingWard => "On the ward", "Ar y ward";
    PlanSettingLeave => "On leave", "Ar absenoldeb";
    PlanSettingCommunity => "Living in the community", "Yn byw yn y gymuned";
    PlanContactsWard => "On the ward, speak to any member of staff. My key worker is {name}.", "Ar y ward, siaradwch ag unrhyw aelod o staff. Fy ngweithiwr allweddol yw {name}.";
    PlanContactsWardStaff => "On the ward, speak to any member of staff.", "Ar y ward, siaradwch ag unrhyw aelod o staff.";
    PlanCrisisLines => "Lines that answer day and night", "Llinellau sy'n ateb ddydd a nos";
    PlanEmergency => "In an emergency, call 999.", "Mewn argyfwng, ffoniwch 999.";
    PlanReviewBy => "Look at the plan again by", "Edrych ar y cynllun eto erbyn";
    PlanReviewOverdue => "Review overdue: it was due by {date}.", "Adolygiad yn hwyr: roedd yn ddyledus erbyn {date}.";
    PlanReviewDue => "Safety plan review overdue", "Adolygiad cynllun diogelwch yn hwyr";
    PlanAgreement => "Agreeing the plan", "Cytuno ar y cynllun";
    PlanNotAgreed => "This plan has not been agreed yet.", "Nid yw'r cynllun hwn wedi'i gytuno eto.";
    PlanWaitingKeyWorker => "Version {version} is signed by {name}; waiting for the key worker.", "Mae fersiwn {version} wedi'i llofnodi gan {name}; yn aros am y gweithiwr allweddol.";
    PlanWaitingPerson => "Version {version} is signed by the key worker; waiting for {name}.", "Mae fersiwn {version} wedi'i llofnodi gan y gweithiwr allweddol; yn aros am {name}.";
    PlanAgreed => "Version {version} agreed: by {name} on {person} and by the key worker on {key_worker}.", "Fersiwn {version} wedi'i chytuno: gan {name} ar {person} a chan y gweithiwr allweddol ar {key_worker}.";
    PlanChangedSince => "The plan has changed since then.", "Mae'r cynllun wedi newid ers hynny.";
    PlanSignPerson => "I agree with this plan (version {version})", "Rwy'n cytuno â'r cynllun hwn (fersiwn {version})";
    PlanSignKeyWorker => "Agree as key worker (version {version})", "Cytuno fel gweithiwr allweddol (fersiwn {version})";
    PlanSharing => "Who sees my plan", "Pwy sy'n gweld fy nghynllun";
    PlanSharingHint => "You decide, section by section, what each carer sees. You can change this at any time. Staff-only notes are never shared.", "Chi sy'n penderfynu, fesul adran, beth mae pob gofalwr yn ei weld. Gallwch newid hyn unrhyw bryd. Ni chaiff nodiadau staff yn unig byth eu rhannu.";
    PlanShareWith => "Shared with {name}", "Wedi'i rannu gyda {name}";
    PlanShareReviewBy => "Look again at these choices by", "Edrych eto ar y dewisiadau hyn erbyn";
    PlanShareReviewDue => "Time to look again at what {name} sees (you chose {date}).", "Mae'n amser edrych eto ar beth mae {name} yn ei weld (fe ddewisoch chi {date}).";
    PlanNotSharedRest => "{name} has not shared the other sections of the plan with you.", "Nid yw {name} wedi rhannu adrannau eraill y cynllun gyda chi.";
    PlanCarerInfo => "For carers", "I ofalwyr";
    PlanCarerInfoText => "To reach the ward at any time, phone the hospital switchboard and ask for the nurse in charge of the ward. Carers can get support and advice from their local carers' centre.", "I gysylltu â'r ward unrhyw bryd, ffoniwch switsfwrdd yr ysbyty a gofyn am y nyrs sy'n gyfrifol am y ward. Gall gofalwyr gael cymorth a chyngor gan eu canolfan gofalwyr leol.";
    PlanPrint => "Printable copy", "Copi i'w argraffu";
    PlanPrintNow => "Print", "Argraffu";
    PlanEasyRead => "Easy read", "Hawdd ei ddarllen";
    PlanBackToPlan => "Back to the safety plan", "Yn ôl i'r cynllun diogelwch";
    PlanPrintTitle => "My safety plan", "Fy nghynllun diogelwch";
    PlanPrintFor => "Safety plan for {name}", "Cynllun diogelwch ar gyfer {name}";
    PlanPrintDraft => "Draft: not agreed yet.", "Drafft: heb ei gytuno eto.";
    PlanPrintEmpty => "Nothing written yet.", "Dim byd wedi'i ysgrifennu eto.";
    CapacityTitle => "Deciding what carers see", "Penderfynu beth mae gofalwyr yn ei weld";
    CapacityHint => "Only if the person cannot make this decision at the moment. Carers never see this record.", "Dim ond os na all yr unigolyn wneud y penderfyniad hwn ar hyn o bryd. Nid yw gofalwyr byth yn gweld y cofnod hwn.";
    CapacityLacks => "{name} cannot decide this at the moment", "Ni all {name} benderfynu hyn ar hyn o bryd";
    CapacityReason => "Why (and when we will ask again)", "Pam (a phryd y byddwn yn gofyn eto)";
    CapacityRecordedLacks => "Recorded: {name} cannot decide this at the moment. {reason} ({who})", "Wedi'i gofnodi: ni all {name} benderfynu hyn ar hyn o bryd. {reason} ({who})";
    CapacityRecordedCan => "Recorded: {name} decides this themselves. ({who})", "Wedi'i gofnodi: {name} sy'n penderfynu hyn. ({who})";
    CapacityBestInterests => "{name} cannot decide this at the moment, so the care team decides in their best interests, with their wishes in mind.", "Ni all {name} benderfynu hyn ar hyn o bryd, felly mae'r tîm gofal yn penderfynu er eu lles pennaf, gan ystyried eu dymuniadau.";
    SessionStart => "Start a planning session", "Dechrau sesiwn gynllunio";
    SessionHint => "In a session, everyone with the plan open is shown here, with where they are writing. Edits appear on everyone's screen as they are made.", "Mewn sesiwn, mae pawb sydd â'r cynllun ar agor yn cael eu dangos yma, gyda ble maen nhw'n ysgrifennu. Mae newidiadau'n ymddangos ar sgrin pawb wrth iddynt gael eu gwneud.";
    SessionRunning => "Planning session started by {name} at {time}", "Sesiwn gynllunio wedi'i dechrau gan {name} am {time}";
    SessionHereNow => "Here now", "Yma nawr";
    SessionWritingIn => "writing in “{section}”", "yn ysgrifennu yn “{section}”";
    SessionEnd => "End the session", "Gorffen y sesiwn";
    SessionSummary => "What we did in the session", "Beth wnaethon ni yn y sesiwn";
    SessionRan => "From {start} to {end}. Joined: {names}.", "O {start} i {end}. Ymunodd: {names}.";
    SessionAdded => "Added by {who}: {text}", "Ychwanegwyd gan {who}: {text}";
    SessionChanged => "Changed by {who}: {text}", "Newidiwyd gan {who}: {text}";
    SessionTookOut => "Taken out by {who}: {text}", "Tynnwyd allan gan {who}: {text}";
    SessionSigned => "{who} agreed version {version}", "Cytunodd {who} â fersiwn {version}";
    SessionNothing => "Nothing in the plan was changed.", "Ni newidiwyd dim yn y cynllun.";
    SessionIsChanging => "{name} is changing this", "Mae {name} yn newid hwn";
    SessionIsWriting => "{name} is writing here", "Mae {name} yn ysgrifennu yma";
    SessionOffline => "You are offline. Keep going: your edits are saved on this device and merge when you are back.", "Rydych all-lein. Daliwch ati: mae eich newidiadau'n cael eu cadw ar y ddyfais hon ac yn uno pan fyddwch yn ôl.";
    ErrorBusy => "The server is busy. Please try again in a moment.", "Mae'r gweinydd yn brysur. Rhowch gynnig arall arni mewn munud.";
    JoinNameInUse => "Someone in this person's care team already has that name. Please add something that tells you apart, such as your surname or how you know them.", "Mae gan rywun yn nhîm gofal yr unigolyn hwn yr enw yna'n barod. Ychwanegwch rywbeth sy'n dangos y gwahaniaeth, fel eich cyfenw neu sut rydych chi'n eu hadnabod.";

    // A locked, encrypted device: PIN, lock screen, sign-out with edits waiting.
    ChoosePinTitle => "Choose a PIN for this device", "Dewiswch PIN ar gyfer y ddyfais hon";
    ChoosePinIntro => "Your records on this device are locked with it, so nobody else can read them. You will use it to open Waymark here, even with no Wi-Fi, and when the device has locked itself. Use 6 to 12 numbers.", "Mae eich cofnodion ar y ddyfais hon yn cael eu cloi gydag ef, fel na all neb arall eu darllen. Byddwch chi'n ei ddefnyddio i agor Waymark yma, hyd yn oed heb Wi-Fi, a phan fydd y ddyfais wedi cloi ei hun. Defnyddiwch rhwng 6 a 12 rhif.";
    PinLabel => "Your PIN", "Eich PIN";
    PinAgain => "Type your PIN again", "Teipiwch eich PIN eto";
    PinSave => "Save my PIN", "Cadw fy PIN";
    PinShape => "Please use 6 to 12 numbers, and nothing else.", "Defnyddiwch rhwng 6 a 12 rhif, a dim byd arall.";
    PinTooEasy => "That PIN is too easy to guess. Please don't use one number over and over, or numbers in order.", "Mae'r PIN hwnnw'n rhy hawdd i'w ddyfalu. Peidiwch â defnyddio'r un rhif drosodd a throsodd, na rhifau yn eu trefn.";
    PinDifferent => "The two PINs are not the same. Please type them again.", "Dydy'r ddau PIN ddim yr un fath. Teipiwch nhw eto.";
    LockedFor => "Locked for {name}", "Wedi'i gloi ar gyfer {name}";
    LockIdle => "The device locked itself because nobody had used it for a while.", "Fe wnaeth y ddyfais gloi ei hun am nad oedd neb wedi'i defnyddio ers tro.";
    PinEnter => "Enter your PIN to open your records", "Rhowch eich PIN i agor eich cofnodion";
    PinOpen => "Open", "Agor";
    PinOpening => "Opening…", "Yn agor…";
    PinWrong => "That PIN is not right. Please try again.", "Dydy'r PIN hwnnw ddim yn gywir. Rhowch gynnig arall arni.";
    PinWrongLastTry => "That PIN is not right. If the next one is wrong too, you will need to sign in with your password to open your records here again. Nothing will be lost.", "Dydy'r PIN hwnnw ddim yn gywir. Os bydd yr un nesaf yn anghywir hefyd, bydd angen i chi fewngofnodi gyda'ch cyfrinair i agor eich cofnodion yma eto. Fydd dim byd yn cael ei golli.";
    SomeoneElse => "I'm someone else", "Rhywun arall ydw i";
    OpeningRecords => "Opening your records…", "Yn agor eich cofnodion…";
    TryAgain => "Try again", "Rhoi cynnig arall arni";
    LockNow => "Lock", "Cloi";
    LockSessionEnded => "Your session ended, so Waymark locked your records on this device. Please sign in again to carry on. Nothing saved here is lost.", "Daeth eich sesiwn i ben, felly mae Waymark wedi cloi eich cofnodion ar y ddyfais hon. Mewngofnodwch eto i barhau. Does dim byd sydd wedi'i gadw yma wedi'i golli.";
    LockTooManyTries => "The PIN was wrong five times, so this device no longer opens your records with it. Nothing is lost: sign in with your password when there is a network, and choose a new PIN.", "Roedd y PIN yn anghywir bum gwaith, felly dydy'r ddyfais hon ddim yn agor eich cofnodion gydag ef mwyach. Does dim byd wedi'i golli: mewngofnodwch gyda'ch cyfrinair pan fydd rhwydwaith, a dewiswch PIN newydd.";
    LockNeedsNetwork => "Your records on this device are locked. To open them, sign in with your password when there is a network.", "Mae eich cofnodion ar y ddyfais hon wedi'u cloi. I'w hagor, mewngofnodwch gyda'ch cyfrinair pan fydd rhwydwaith.";
    LockTooManyDevices => "Your account is already set up on too many devices. Please ask the ward's administrator to remove the ones you no longer use.", "Mae eich cyfrif eisoes wedi'i osod ar ormod o ddyfeisiau. Gofynnwch i weinyddwr y ward dynnu'r rhai nad ydych chi'n eu defnyddio mwyach.";
    LockCannotOpen => "Waymark could not open your records on this device. Please try again, or ask staff for help.", "Doedd Waymark ddim yn gallu agor eich cofnodion ar y ddyfais hon. Rhowch gynnig arall arni, neu gofynnwch i'r staff am help.";
    SignOutWaitingLocked => "{n} changes made here have not been sent yet. If you sign out, they stay on this device, locked so that only you can open them, and they are sent the next time you sign in here. Sign out now?", "Dydy {n} o newidiadau a wnaed yma ddim wedi'u hanfon eto. Os byddwch chi'n allgofnodi, byddan nhw'n aros ar y ddyfais hon, wedi'u cloi fel mai dim ond chi sy'n gallu eu hagor, a byddan nhw'n cael eu hanfon y tro nesaf y byddwch chi'n mewngofnodi yma. Allgofnodi nawr?";
    // Consent-scoped records and the app's domains (issue 11 screens; issue 10 edits).
    AnotherCarer => "another carer", "gofalwr arall";
    EditNotSaved => "A change was not saved", "Ni chafodd newid ei gadw";
    CarerNothingShared => "{name} has not shared anything with you yet. When they choose to, it will show here.", "Nid yw {name} wedi rhannu dim gyda chi eto. Pan fyddan nhw'n dewis gwneud hynny, bydd yn ymddangos yma.";
    CarerSomeShared => "You can see what {name} has chosen to share with you. {name} can change this at any time.", "Gallwch weld yr hyn y mae {name} wedi dewis ei rannu â chi. Gall {name} newid hyn unrhyw bryd.";
    SharingTitle => "Who sees my About me and comments", "Pwy sy'n gweld Amdanaf i a'r sylwadau";
    SharingHint => "You decide what each carer sees. Your care team always sees it. You can change this at any time.", "Chi sy'n penderfynu beth mae pob gofalwr yn ei weld. Mae eich tîm gofal bob amser yn ei weld. Gallwch newid hyn unrhyw bryd.";
    SharePartComments => "Comments written for the people I share comments with", "Sylwadau a ysgrifennwyd ar gyfer y bobl rwy'n rhannu sylwadau â nhw";
    CommentAudience => "Who can read this comment", "Pwy sy'n gallu darllen y sylw hwn";
    CommentForCareTeam => "The care team only", "Y tîm gofal yn unig";
    CommentForSharedMine => "Also the people I share comments with", "Hefyd y bobl rwy'n rhannu sylwadau â nhw";
    CommentForSharedTheirs => "Also the people {name} shares comments with", "Hefyd y bobl y mae {name} yn rhannu sylwadau â nhw";
    CommentCarerHint => "Your comment is read by {name}, their care team and the people {name} shares comments with.", "Bydd {name}, eu tîm gofal a'r bobl y mae {name} yn rhannu sylwadau â nhw yn darllen eich sylw.";
    CommentShared => "Shared with carers", "Wedi'i rannu gyda gofalwyr";
    PlanReviewSetBy => "Date set by {who}", "Dyddiad wedi'i osod gan {who}";
    PlanReviewEarlierOnly => "You can ask for an earlier review. Only your care team can move the date later.", "Gallwch ofyn am adolygiad cynharach. Dim ond eich tîm gofal sy'n gallu symud y dyddiad yn hwyrach.";
    PlanReviewNotLater => "Only the care team can move the review date later.", "Dim ond y tîm gofal sy'n gallu symud dyddiad yr adolygiad yn hwyrach.";
    PlanSettingStaffOnly => "Only the care team can change this.", "Dim ond y tîm gofal sy'n gallu newid hyn.";
    ReadingDraftNote => "This reading is a draft: it goes on the chart once it is finished.", "Drafft yw'r darlleniad hwn: bydd yn mynd ar y siart pan fydd wedi'i orffen.";
    ReadingFinish => "Finish this reading", "Gorffen y darlleniad hwn";
    ReadingFinishedBy => "Finished by {who}.", "Wedi'i orffen gan {who}.";
    ReadingFinished => "Finished.", "Wedi'i orffen.";
    ReadingMissing => "Left without an agreed value: {areas}.", "Heb werth y cytunwyd arno: {areas}.";
    ReadingReopen => "Make it a draft again", "Ei wneud yn ddrafft eto";
    ReadingDiscard => "Put this draft aside", "Rhoi'r drafft hwn o'r neilltu";
    ReadingDiscarded => "This draft was put aside. It stays in the record.", "Cafodd y drafft hwn ei roi o'r neilltu. Mae'n aros yn y cofnod.";
    ReadingBringBack => "Bring it back", "Dod ag ef yn ôl";
    ReadingDraftBadge => "Draft", "Drafft";
    // == Tracker: words, drafts, easy read and read aloud (issue 13: components/reading, chart, goal_list) ==
    ReadingRaterPersonNamed => "{name}'s view", "Barn {name}";
    ReadingRaterMine => "My view", "Fy marn i";
    ReadingPresentMe => "Me", "Fi";
    TrackerStepOwnerMine => "Me", "Fi";
    ReadingClearValue => "Clear this number", "Clirio'r rhif hwn";
    ReadingStageOf => "{value}: {stage}", "{value}: {stage}";
    ReadingFinishConfirm => "These areas have no agreed number yet: {areas}. Finish the reading without them?", "Does dim rhif wedi'i gytuno ar gyfer y meysydd hyn eto: {areas}. Gorffen y darlleniad hebddyn nhw?";
    ReadingFinishAnyway => "Yes, finish it", "Ie, ei orffen";
    ReadingKeepGoing => "No, go back to it", "Na, mynd yn ôl ato";
    ReadingLastArea => "That was the last area. When you are ready, finish the reading.", "Dyna'r maes olaf. Pan fyddwch chi'n barod, gorffennwch y darlleniad.";
    ReadingLastAreaEasy => "That was the last one. Now tap Finish.", "Dyna'r un olaf. Nawr tapiwch Gorffen.";
    ReadingDraftNoteEasy => "Not finished yet. It goes on the chart when it is finished.", "Heb ei orffen eto. Bydd yn mynd ar y siart pan fydd wedi'i orffen.";
    ReadingViewsDifferEasy => "You see this in different ways. That is OK. Say why.", "Rydych chi'n gweld hyn mewn ffyrdd gwahanol. Mae hynny'n iawn. Dywedwch pam.";
    ReadingHowTo => "Tap a number for each view. The words beside the numbers say what each one means.", "Tapiwch rif ar gyfer pob barn. Mae'r geiriau wrth ymyl y rhifau yn dweud beth mae pob un yn ei olygu.";
    ReadingHowToEasy => "Tap a number. Then tap Next area.", "Tapiwch rif. Yna tapiwch Maes nesaf.";
    TrackerIntroEasy => "See how things are going. Look at it together.", "Gweld sut mae pethau'n mynd. Edrych arno gyda'ch gilydd.";
    TrackerTapAreaEasy => "Tap an area to see how it changed.", "Tapiwch faes i weld sut mae wedi newid.";
    TrackerTitleMine => "My recovery tracker", "Fy nhraciwr adferiad";
    TrackerBackToNamed => "Back to {name}'s page", "Yn ôl i dudalen {name}";
    TrackerBackToMine => "Back to my page", "Yn ôl i fy nhudalen";
    TrackerGoalNewNamed => "A new goal, in {name}'s own words", "Nod newydd, yng ngeiriau {name} ei hun";
    TrackerGoalNewMine => "A new goal, in my own words", "Nod newydd, yn fy ngeiriau fy hun";
    TrackerDrafts => "Readings not finished yet", "Darlleniadau heb eu gorffen eto";
    TrackerDraftsHint => "A reading goes on the chart once it is finished. Carry on with one, or put it aside.", "Mae darlleniad yn mynd ar y siart pan fydd wedi'i orffen. Parhewch ag un, neu rhowch ef o'r neilltu.";
    TrackerDraftStartedBy => "Started by {who}", "Wedi'i ddechrau gan {who}";
    TrackerDraftAgreedOne => "1 area agreed so far", "1 maes wedi'i gytuno hyd yma";
    TrackerDraftAgreedMany => "{n} areas agreed so far", "{n} maes wedi'u cytuno hyd yma";
    TrackerResume => "Carry on with this reading", "Parhau â'r darlleniad hwn";
    TrackerDraftPutAside => "The draft from {date} was put aside.", "Cafodd y drafft o {date} ei roi o'r neilltu.";
    TrackerReadingsCountOne => "1 finished reading", "1 darlleniad wedi'i orffen";
    TrackerReadingsCountMany => "{n} finished readings", "{n} darlleniad wedi'u gorffen";
    ChartTrendSummaryOne => "1 reading, on {first}.", "1 darlleniad, ar {first}.";
    ReadAloud => "Read this to me", "Darllen hwn i mi";
    ReadAloudStop => "Stop reading", "Stopio darllen";
    ReadAloudNotRated => "not rated yet", "heb ei sgorio eto";
    GoalEditWording => "Change the wording", "Newid y geiriad";
    GoalWordingChanged => "The wording was changed.", "Cafodd y geiriad ei newid.";
    // Issue 13, all screens but the tracker's: titles, names instead of "the person", plain words, easy read,
    // read aloud, the plan's agreement and conflicts.
    TitlePersonPage => "{name}'s page", "Tudalen {name}";
    TitlePrintPlan => "Printable safety plan", "Cynllun diogelwch i'w argraffu";
    TitleNotFound => "Page not found", "Heb ddod o hyd i'r dudalen";
    BackToNamePage => "Back to {name}'s page", "Yn ôl i dudalen {name}";
    BackToMyPage => "Back to my page", "Yn ôl i fy nhudalen";
    AboutMeEditableSelf => "Written in my own words, with my key worker.", "Wedi'i ysgrifennu yn fy ngeiriau fy hun, gyda fy ngweithiwr allweddol.";
    AboutMeEditableName => "Written in {name}'s own words, with their key worker.", "Wedi'i ysgrifennu yng ngeiriau {name} ei hun, gyda'r gweithiwr allweddol.";
    AboutMeReadOnlyName => "Only {name} and their key worker can change this.", "Dim ond {name} a'r gweithiwr allweddol sy'n gallu newid hyn.";
    CapacityHintName => "Only if {name} cannot make this decision at the moment. Carers never see this record.", "Dim ond os na all {name} wneud y penderfyniad hwn ar hyn o bryd. Nid yw gofalwyr byth yn gweld y cofnod hwn.";
    PlanSettingOther => "Where {name} is now", "Ble mae {name} nawr";
    PlanReviewTime => "Time to look at the plan again. We planned to do it by {date}.", "Mae'n amser edrych ar y cynllun eto. Roedden ni wedi bwriadu gwneud hynny erbyn {date}.";
    PlanReviewTimeFlag => "Time to look at my safety plan again", "Mae'n amser edrych ar fy nghynllun diogelwch eto";
    PlanReviewByDate => "Look at the plan again by {date}.", "Edrych ar y cynllun eto erbyn {date}.";
    PlanAgreedSelf => "Version {version} agreed: by me on {person} and by my key worker on {key_worker}.", "Fersiwn {version} wedi'i chytuno: gennyf i ar {person} a chan fy ngweithiwr allweddol ar {key_worker}.";
    PlanNowVersion => "The plan has changed since then. This is version {version}. It is not agreed yet.", "Mae'r cynllun wedi newid ers hynny. Dyma fersiwn {version}. Nid yw wedi'i chytuno eto.";
    PlanWaitingKeyWorkerSelf => "I have signed version {version}. It is waiting for my key worker.", "Rydw i wedi llofnodi fersiwn {version}. Mae'n aros am fy ngweithiwr allweddol.";
    PlanWaitingPersonSelf => "My key worker has signed version {version}. It is waiting for me.", "Mae fy ngweithiwr allweddol wedi llofnodi fersiwn {version}. Mae'n aros amdana i.";
    PlanChangesSince => "What has changed since version {version} was agreed", "Beth sydd wedi newid ers cytuno ar fersiwn {version}";
    PlanChangeAdded => "Added to “{section}”: {text}", "Ychwanegwyd at “{section}”: {text}";
    PlanChangeChanged => "Changed in “{section}”: {text}", "Newidiwyd yn “{section}”: {text}";
    PlanChangeTookOut => "Taken out of “{section}”: {text}", "Tynnwyd allan o “{section}”: {text}";
    PlanConflictItem => "In “{section}”, item {n}: two versions were saved at the same time. Choose the one to keep.", "Yn “{section}”, eitem {n}: cafodd dwy fersiwn eu cadw ar yr un pryd. Dewiswch yr un i'w chadw.";
    PlanConflictDetail => "“{what}”: two versions were saved at the same time. Choose the one to keep.", "“{what}”: cafodd dwy fersiwn eu cadw ar yr un pryd. Dewiswch yr un i'w chadw.";
    SignOutWaitingLockedOne => "1 change made here has not been sent yet. If you sign out, it stays on this device, locked so that only you can open it, and it is sent the next time you sign in here. Sign out now?", "Dydy 1 newid a wnaed yma ddim wedi'i anfon eto. Os byddwch chi'n allgofnodi, bydd yn aros ar y ddyfais hon, wedi'i gloi fel mai dim ond chi sy'n gallu ei agor, a bydd yn cael ei anfon y tro nesaf y byddwch chi'n mewngofnodi yma. Allgofnodi nawr?";
    SignOutWaitingOne => "1 change made here has not been sent yet. It stays safely on this device and is sent the next time you sign in here. Sign out anyway?", "Dydy 1 newid a wnaed yma ddim wedi'i anfon eto. Bydd yn aros yn ddiogel ar y ddyfais hon ac yn cael ei anfon y tro nesaf y byddwch chi'n mewngofnodi yma. Allgofnodi beth bynnag?";
    PlanIntroEasy => "We write this plan together. It helps me stay safe and well.", "Rydyn ni'n ysgrifennu'r cynllun hwn gyda'n gilydd. Mae'n fy helpu i aros yn ddiogel ac yn iach.";
    MyPageIntroEasy => "This is your page. You and your team plan here together.", "Dyma eich tudalen chi. Rydych chi a'ch tîm yn cynllunio yma gyda'ch gilydd.";
    PlanSharingHintEasy => "You choose what each carer sees. You can change it at any time.", "Chi sy'n dewis beth mae pob gofalwr yn ei weld. Gallwch ei newid unrhyw bryd.";
    SharingHintEasy => "You choose what each carer sees. Your care team always sees it.", "Chi sy'n dewis beth mae pob gofalwr yn ei weld. Mae eich tîm gofal bob amser yn ei weld.";
    ReadAloudSection => "Read this to me: {section}", "Darllen hwn i mi: {section}";
    ReadAloudPlan => "Read the whole plan to me", "Darllen y cynllun cyfan i mi";
    WhoYouSupport => "Who you support", "Pwy rydych chi'n eu cefnogi";

    // Administration (issue 16): accounts, wards, care teams, stays, first passwords, hospital sign-in, peer support.
    RolePeerSupport => "Peer support worker", "Gweithiwr cymorth cymheiriaid";
    RelationPeerSupport => "Peer support", "Cymorth cymheiriaid";
    ErrorPasswordChangeRequired => "Please choose your own password before you carry on.", "Dewiswch eich cyfrinair eich hun cyn i chi barhau.";
    ErrorAccountDeactivated => "This account has been switched off. Please speak to a Waymark administrator.", "Mae'r cyfrif hwn wedi'i ddiffodd. Siaradwch â gweinyddwr Waymark.";
    ErrorDischarged => "This person has been discharged. Staff can still read their record, but can no longer change it.", "Mae'r unigolyn hwn wedi cael ei ryddhau. Gall staff ddarllen ei gofnod o hyd, ond ni allan nhw ei newid mwyach.";
    AdminTitle => "Administration", "Gweinyddu";
    AdminIntroTools => "Make accounts, reset passwords, set up wards and care teams, and record admissions, moves and discharges. Clinical records are not shown here.", "Creu cyfrifon, ailosod cyfrineiriau, trefnu wardiau a thimau gofal, a chofnodi derbyniadau, symudiadau a rhyddhau. Dydy cofnodion clinigol ddim yn cael eu dangos yma.";
    AdminSearchTitle => "Find an account", "Dod o hyd i gyfrif";
    AdminSearchLabel => "Name or username", "Enw neu enw defnyddiwr";
    AdminSearch => "Search", "Chwilio";
    AdminNoMatches => "No account matches that search.", "Does dim cyfrif yn cyfateb i'r chwiliad hwnnw.";
    AdminMoreMatches => "More accounts match: add more of the name to narrow the search.", "Mae rhagor o gyfrifon yn cyfateb: ychwanegwch ragor o'r enw i gyfyngu'r chwiliad.";
    AdminNewAccount => "Make an account", "Creu cyfrif";
    AdminNewAccountHint => "Carers make their own accounts with an invitation from the person's care team.", "Mae gofalwyr yn creu eu cyfrifon eu hunain gyda gwahoddiad gan dîm gofal yr unigolyn.";
    AdminFullName => "Full name", "Enw llawn";
    AdminRole => "Role", "Rôl";
    AdminChooseRole => "Choose a role", "Dewiswch rôl";
    AdminChooseWard => "Choose a ward", "Dewiswch ward";
    AdminNoWard => "No ward", "Dim ward";
    AdminIdentity => "Hospital sign-in name (staff, optional)", "Enw mewngofnodi'r ysbyty (staff, dewisol)";
    AdminIdentityHint => "Staff can then sign in with their hospital account.", "Yna gall staff fewngofnodi gyda'u cyfrif ysbyty.";
    AdminCreate => "Make the account", "Creu'r cyfrif";
    AdminCreated => "The account for {name} is ready.", "Mae'r cyfrif ar gyfer {name} yn barod.";
    AdminOneTimePassword => "One-time password for {name}:", "Cyfrinair untro ar gyfer {name}:";
    AdminOneTimePasswordHint => "Give it to them in person. It works once: they choose their own password when they first sign in. It is not shown again.", "Rhowch ef iddyn nhw wyneb yn wyneb. Mae'n gweithio unwaith: byddan nhw'n dewis eu cyfrinair eu hunain pan fyddan nhw'n mewngofnodi gyntaf. Ni fydd yn cael ei ddangos eto.";
    AdminOpenAccount => "Open the account", "Agor y cyfrif";
    AdminStatusActive => "Can sign in", "Yn gallu mewngofnodi";
    AdminStatusOff => "Switched off", "Wedi'i ddiffodd";
    AdminStatusFirstSignIn => "Has not chosen a password yet", "Heb ddewis cyfrinair eto";
    AdminResetPassword => "Reset the password", "Ailosod y cyfrinair";
    AdminResetDone => "{name} is signed out everywhere, their tablets must be opened again, and they choose a new password with this one-time password.", "Mae {name} wedi'i allgofnodi ym mhobman, rhaid agor eu tabledi eto, a byddan nhw'n dewis cyfrinair newydd gyda'r cyfrinair untro hwn.";
    AdminDeactivate => "Switch this account off", "Diffodd y cyfrif hwn";
    AdminDeactivateHint => "They are signed out at once and cannot sign in. Nothing in anyone's record is deleted.", "Maen nhw'n cael eu hallgofnodi ar unwaith ac ni allan nhw fewngofnodi. Does dim byd yng nghofnod neb yn cael ei ddileu.";
    AdminReactivate => "Switch this account back on", "Troi'r cyfrif hwn yn ôl ymlaen";
    AdminLinkIdentity => "Link to hospital sign-in", "Cysylltu â mewngofnodi'r ysbyty";
    AdminSave => "Save", "Cadw";
    AdminSaved => "Saved.", "Wedi'i gadw.";
    AdminLinkedTo => "On the care team of", "Ar dîm gofal";
    AdminWards => "Wards", "Wardiau";
    AdminWardName => "Name of the new ward", "Enw'r ward newydd";
    AdminAddWard => "Add the ward", "Ychwanegu'r ward";
    AdminWardCounts => "{people} people, {staff} staff", "{people} o bobl, {staff} o staff";
    AdminManageWard => "Manage the ward", "Rheoli'r ward";
    AdminPeopleOnWard => "People on the ward", "Pobl ar y ward";
    AdminStaffOnWard => "Staff on the ward", "Staff ar y ward";
    AdminNobodyYet => "Nobody yet.", "Neb eto.";
    AdminKeyWorkerIs => "Key worker: {name}", "Gweithiwr allweddol: {name}";
    AdminNoKeyWorker => "No key worker yet", "Dim gweithiwr allweddol eto";
    AdminManage => "Care team and stay", "Tîm gofal ac arhosiad";
    AdminBack => "Back to administration", "Yn ôl i weinyddu";
    AdminAddToTeam => "Add to the care team", "Ychwanegu at y tîm gofal";
    AdminWho => "Who", "Pwy";
    AdminChoosePerson => "Choose someone", "Dewiswch rywun";
    AdminAs => "As", "Fel";
    AdminAdd => "Add", "Ychwanegu";
    AdminRemove => "Take off the care team", "Tynnu oddi ar y tîm gofal";
    AdminTeamChangeNote => "A change reaches everyone's tablets the next time they sync.", "Mae newid yn cyrraedd tabledi pawb y tro nesaf y byddan nhw'n cysoni.";
    AdminStays => "Admission, moves and discharge", "Derbyn, symud a rhyddhau";
    AdminAdmit => "Admit to a ward", "Derbyn i ward";
    AdminTransfer => "Move to another ward", "Symud i ward arall";
    AdminDischarge => "Discharge", "Rhyddhau";
    AdminDate => "Date", "Dyddiad";
    AdminDischargeHint => "Staff can still read the record but not change it; the person keeps their own copy of the plan; what they shared with carers and peer support stops until they share it again.", "Gall staff ddarllen y cofnod o hyd ond nid ei newid; mae'r unigolyn yn cadw ei gopi ei hun o'r cynllun; mae'r hyn a rannwyd â gofalwyr a chymorth cymheiriaid yn dod i ben nes iddyn nhw ei rannu eto.";
    StayAdmitted => "Admitted to {ward} on {date}", "Derbyniwyd i {ward} ar {date}";
    StayTransferred => "Moved from {from} to {ward} on {date}", "Symudwyd o {from} i {ward} ar {date}";
    StayDischarged => "Discharged from {ward} on {date}", "Rhyddhawyd o {ward} ar {date}";
    StayTitle => "Stay", "Arhosiad";
    StayDischargedNote => "Discharged: staff can read this record but no longer change it.", "Wedi'i ryddhau: gall staff ddarllen y cofnod hwn ond nid ei newid mwyach.";
    AdminErrUsername => "Use letters, numbers, dots, dashes or underscores, up to 64.", "Defnyddiwch lythrennau, rhifau, dotiau, cysylltnodau neu danlinellau, hyd at 64.";
    AdminErrName => "Please write a name, up to 80 characters.", "Ysgrifennwch enw, hyd at 80 nod.";
    AdminErrRole => "Please choose a role.", "Dewiswch rôl.";
    AdminErrWard => "Please choose a ward.", "Dewiswch ward.";
    AdminErrIdentity => "Up to 200 characters, with no spaces at either end.", "Hyd at 200 nod, heb fylchau ar y naill ben na'r llall.";
    AdminErrIdentityRole => "Only staff and peer support workers sign in with a hospital account.", "Dim ond staff a gweithwyr cymorth cymheiriaid sy'n mewngofnodi gyda chyfrif ysbyty.";
    AdminErrIdentityTaken => "Another account is already linked to that hospital sign-in name.", "Mae cyfrif arall eisoes wedi'i gysylltu â'r enw mewngofnodi ysbyty hwnnw.";
    AdminErrDate => "Please give the date.", "Rhowch y dyddiad.";
    AdminErrDateFuture => "The date cannot be in the future.", "All y dyddiad ddim bod yn y dyfodol.";
    AdminErrStay => "That does not fit the person's stay: check whether they are on a ward now.", "Dydy hynny ddim yn cyd-fynd ag arhosiad yr unigolyn: gwiriwch a ydyn nhw ar ward nawr.";
    AdminErrTeam => "That person cannot hold that place on the care team.", "All yr unigolyn hwnnw ddim bod yn y rôl honno ar y tîm gofal.";
    ChangePasswordTitle => "Choose your own password", "Dewiswch eich cyfrinair eich hun";
    ChangePasswordIntro => "You signed in with a one-time password. Before you carry on, choose a password that only you know.", "Fe wnaethoch chi fewngofnodi gyda chyfrinair untro. Cyn i chi barhau, dewiswch gyfrinair sy'n hysbys i chi yn unig.";
    PasswordCurrent => "The one-time password", "Y cyfrinair untro";
    PasswordNew => "New password (at least 10 characters)", "Cyfrinair newydd (o leiaf 10 nod)";
    PasswordNewAgain => "New password again", "Y cyfrinair newydd eto";
    PasswordSave => "Save my password", "Cadw fy nghyfrinair";
    PasswordCurrentMissing => "Please type the one-time password you were given.", "Teipiwch y cyfrinair untro a gawsoch chi.";
    PasswordTooShort => "Please use at least 10 characters.", "Defnyddiwch o leiaf 10 nod.";
    PasswordSameAsOld => "Please choose a password that is not the one-time password.", "Dewiswch gyfrinair nad yw'n gyfrinair untro.";
    PasswordsDiffer => "The two passwords are not the same.", "Dydy'r ddau gyfrinair ddim yr un fath.";
    SignInWithHospital => "Staff: sign in with your hospital account", "Staff: mewngofnodi gyda'ch cyfrif ysbyty";
    SsoWrongAudience => "The hospital sign-in answered for a different app, so Waymark did not sign you in. Please try again, or ask the IT service desk.", "Atebodd mewngofnodi'r ysbyty ar gyfer ap gwahanol, felly wnaeth Waymark ddim eich mewngofnodi. Rhowch gynnig arall arni, neu gofynnwch i ddesg gwasanaeth TG.";
    SsoExpired => "The hospital sign-in had expired before it reached Waymark, so you are not signed in. Please try again.", "Roedd mewngofnodi'r ysbyty wedi dod i ben cyn iddo gyrraedd Waymark, felly dydych chi ddim wedi mewngofnodi. Rhowch gynnig arall arni.";
    SsoNotLinked => "Your hospital account is not linked to a Waymark account yet. Please ask a Waymark administrator to link it.", "Dydy eich cyfrif ysbyty ddim wedi'i gysylltu â chyfrif Waymark eto. Gofynnwch i weinyddwr Waymark ei gysylltu.";
    SsoFailed => "Signing in with your hospital account did not work. Please try again, or sign in with your Waymark password.", "Wnaeth mewngofnodi gyda'ch cyfrif ysbyty ddim gweithio. Rhowch gynnig arall arni, neu mewngofnodwch gyda'ch cyfrinair Waymark.";

    // Issue 14: the ward overview, the audit trail, export and the service report.
    WardOverview => "Ward overview", "Trosolwg o'r ward";
    CaseloadOverview => "Caseload overview", "Trosolwg o'r llwyth achosion";
    OverviewIntro => "Worked out from the records on this device, so it works without a network too.", "Wedi'i gyfrifo o'r cofnodion ar y ddyfais hon, felly mae'n gweithio heb rwydwaith hefyd.";
    OverviewSort => "Sort by", "Trefnu yn ôl";
    OverviewShow => "Show", "Dangos";
    OverviewWeeks => "A reading is due after this many weeks without one", "Mae darlleniad yn ddyledus ar ôl hyn o wythnosau heb un";
    OverviewNobody => "Nobody matches this choice.", "Does neb yn cyfateb i'r dewis hwn.";
    OverviewCount => "{shown} of {total} people", "{shown} o {total} o bobl";
    SortName => "Name", "Enw";
    SortLatestReading => "Latest reading (oldest first)", "Darlleniad diweddaraf (yr hynaf yn gyntaf)";
    SortDistance => "Distance travelled (least first)", "Pellter a deithiwyd (y lleiaf yn gyntaf)";
    SortOverdueSteps => "Overdue steps (most first)", "Camau hwyr (y mwyaf yn gyntaf)";
    SortReview => "Plan review (overdue first)", "Adolygu'r cynllun (y rhai hwyr yn gyntaf)";
    SortConflicts => "Versions to choose between (most first)", "Fersiynau i ddewis rhyngddyn nhw (y mwyaf yn gyntaf)";
    FilterAll => "Everyone", "Pawb";
    FilterReadingsDue => "Reading due", "Darlleniad yn ddyledus";
    FilterOverdueSteps => "Overdue steps", "Camau hwyr";
    FilterReview => "Plan review due or overdue", "Adolygiad cynllun yn ddyledus neu'n hwyr";
    FilterNeverAgreed => "Plan never agreed", "Cynllun heb ei gytuno erioed";
    FilterConflicts => "Versions to choose between", "Fersiynau i ddewis rhyngddyn nhw";
    SigLatestReading => "Latest reading: {date}", "Darlleniad diweddaraf: {date}";
    SigNoReading => "No finished reading yet", "Dim darlleniad wedi'i orffen eto";
    SigReadingDue => "Reading due", "Darlleniad yn ddyledus";
    SigOverdueSteps => "Overdue steps: {count}", "Camau hwyr: {count}";
    SigReviewOverdue => "Plan review overdue (was due {date})", "Adolygiad cynllun yn hwyr (roedd yn ddyledus {date})";
    SigReviewDue => "Plan review due {date}", "Adolygiad cynllun yn ddyledus {date}";
    SigNeverAgreed => "Plan never agreed", "Dydy'r cynllun erioed wedi'i gytuno";
    SigConflicts => "Versions to choose between: {count}", "Fersiynau i ddewis rhyngddyn nhw: {count}";
    SigDistance => "Distance travelled since the first reading: {value}", "Pellter a deithiwyd ers y darlleniad cyntaf: {value}";
    SigAllClear => "Nothing to look at now", "Dim byd i edrych arno nawr";
    ExportTitle => "Download the record", "Lawrlwytho'r cofnod";
    ExportHint => "Every download is written in the audit trail.", "Mae pob lawrlwythiad yn cael ei nodi yn y trywydd archwilio.";
    ExportFhir => "Download for other systems (FHIR)", "Lawrlwytho ar gyfer systemau eraill (FHIR)";
    ExportCsv => "Download readings (CSV)", "Lawrlwytho'r darlleniadau (CSV)";
    ExportWardCsv => "Download everyone's readings (CSV)", "Lawrlwytho darlleniadau pawb (CSV)";
    ExportWardCsvNoNames => "Download readings without names (CSV)", "Lawrlwytho darlleniadau heb enwau (CSV)";
    AuditOpen => "Who looked at or changed this record", "Pwy sydd wedi edrych ar y cofnod hwn neu ei newid";
    AuditTitle => "Audit trail: {name}", "Trywydd archwilio: {name}";
    AuditIntro => "Every look at and change to {name}'s record, newest first. It shows the kind of record, never what it says.", "Pob tro yr edrychwyd ar gofnod {name} neu y'i newidiwyd, y diweddaraf yn gyntaf. Mae'n dangos y math o gofnod, byth yr hyn mae'n ei ddweud.";
    AuditWho => "Who", "Pwy";
    AuditAction => "What they did", "Beth wnaethon nhw";
    AuditWhat => "Part of the record", "Rhan o'r cofnod";
    AuditWhen => "When", "Pryd";
    AuditDevice => "Device", "Dyfais";
    AuditFrom => "From", "O";
    AuditTo => "To", "Hyd at";
    AuditAnyone => "Anyone", "Unrhyw un";
    AuditAnything => "Anything", "Unrhyw beth";
    AuditApply => "Apply", "Defnyddio";
    AuditEmpty => "Nothing recorded matches.", "Does dim byd wedi'i gofnodi sy'n cyfateb.";
    AuditMore => "Show older entries", "Dangos cofnodion hŷn";
    ActChanged => "Changed", "Newidiodd";
    ActViewed => "Looked at", "Edrychodd ar";
    ActSynced => "Copied to their device", "Copïodd i'w dyfais";
    ActOpened => "Opened a page", "Agorodd dudalen";
    ActExported => "Downloaded", "Lawrlwythodd";
    ActReported => "Made a service report", "Gwnaeth adroddiad gwasanaeth";
    RecordViewsTitle => "Who has looked at my record", "Pwy sydd wedi edrych ar fy nghofnod";
    RecordViewsIntro => "Each time someone looks at your record, it is written down. Here are the latest.", "Bob tro mae rhywun yn edrych ar eich cofnod, mae'n cael ei nodi. Dyma'r rhai diweddaraf.";
    RecordViewsEmpty => "Nobody has looked at your record yet.", "Does neb wedi edrych ar eich cofnod eto.";
    RecordViewLooked => "{name} ({role}) looked at your record", "Edrychodd {name} ({role}) ar eich cofnod";
    RecordViewDownloaded => "{name} ({role}) downloaded a copy of your record", "Lawrlwythodd {name} ({role}) gopi o'ch cofnod";
    RecordViewCopied => "{name} ({role}) got your record on their device", "Cafodd {name} ({role}) eich cofnod ar eu dyfais";
    RecordViewsMore => "Show earlier ones", "Dangos rhai cynharach";
    ReportTitle => "Service report", "Adroddiad gwasanaeth";
    ReportIntro => "Figures for the ward, without names. A figure that rests on fewer than 5 people is not shown, so that nobody can be picked out.", "Ffigurau ar gyfer y ward, heb enwau. Dydy ffigur sy'n seiliedig ar lai na 5 o bobl ddim yn cael ei ddangos, fel na all neb gael eu hadnabod.";
    ReportShow => "Show the report", "Dangos yr adroddiad";
    ReportPrint => "Print", "Argraffu";
    ReportCsv => "Download the report (CSV)", "Lawrlwytho'r adroddiad (CSV)";
    ReportPeople => "People with readings", "Pobl â darlleniadau";
    ReportAgreed => "Plans agreed", "Cynlluniau wedi'u cytuno";
    ReportOnTime => "Plans reviewed on time", "Cynlluniau wedi'u hadolygu mewn pryd";
    ReportDistance => "Distance travelled per area: {framework}", "Pellter a deithiwyd fesul maes: {framework}";
    ReportArea => "Area", "Maes";
    ReportMean => "Mean", "Cymedr";
    ReportMedian => "Median", "Canolrif";
    FewerThan5 => "fewer than 5", "llai na 5";
    ReportFigurePeople => "{value} ({people} people)", "{value} ({people} o bobl)";
    ReportBadPeriod => "Choose a start date on or before the end date.", "Dewiswch ddyddiad dechrau ar neu cyn y dyddiad gorffen.";
    ReportNoWard => "You are not linked to a ward.", "Dydych chi ddim wedi'ch cysylltu â ward.";
    AuditOpenButton => "Open the audit trail", "Agor y trywydd archwilio";
    FwTitle => "Outcome frameworks", "Fframweithiau canlyniadau";
    FwIntro => "Write a framework of your own, or a new version of one. Readings already made keep the version they used.", "Ysgrifennwch fframwaith eich hun, neu fersiwn newydd o un. Mae darlleniadau sydd eisoes wedi'u gwneud yn cadw'r fersiwn a ddefnyddiwyd ganddyn nhw.";
    FwOpen => "Outcome frameworks", "Fframweithiau canlyniadau";
    FwStartFrom => "Start from", "Dechrau o";
    FwBlank => "A new framework", "Fframwaith newydd";
    FwNewVersionOf => "A new version of {name}", "Fersiwn newydd o {name}";
    FwId => "Id (lower-case letters, digits and _)", "Id (llythrennau bach, digidau a _)";
    FwNameEn => "Name in English", "Enw yn Saesneg";
    FwNameCy => "Name in Welsh", "Enw yn Gymraeg";
    FwScaleMin => "Lowest number", "Rhif isaf";
    FwScaleMax => "Highest number", "Rhif uchaf";
    FwMoreHelp => "Ask \"would you like more help with this?\" for each area", "Gofyn \"hoffech chi fwy o help gyda hyn?\" ar gyfer pob maes";
    FwStages => "Stages", "Camau";
    FwStage => "Stage {n}", "Cam {n}";
    FwStageFrom => "From", "O";
    FwStageTo => "To", "Hyd at";
    FwLabelEn => "Label in English", "Label yn Saesneg";
    FwLabelCy => "Label in Welsh", "Label yn Gymraeg";
    FwDescriptionEn => "Description in English", "Disgrifiad yn Saesneg";
    FwDescriptionCy => "Description in Welsh", "Disgrifiad yn Gymraeg";
    FwAddStage => "Add a stage", "Ychwanegu cam";
    FwAreas => "Areas", "Meysydd";
    FwArea => "Area {n}", "Maes {n}";
    FwAreaId => "Area id", "Id y maes";
    FwAddArea => "Add an area", "Ychwanegu maes";
    FwRemove => "Remove", "Tynnu";
    FwPreview => "Preview", "Rhagolwg";
    FwSave => "Save this version", "Cadw'r fersiwn hon";
    FwSaved => "Saved: {name}, version {version}.", "Wedi'i gadw: {name}, fersiwn {version}.";
    FwFixFirst => "Please fix the problems shown before saving.", "Cywirwch y problemau a ddangosir cyn cadw.";
    FwVersions => "Versions", "Fersiynau";
    FwVersionLine => "{name}, version {version}", "{name}, fersiwn {version}";
    FwRetired => "Retired", "Wedi'i dynnu'n ôl";
    FwRetire => "Retire this version", "Tynnu'r fersiwn hon yn ôl";
    FwErrId => "Use 1 to 40 lower-case letters, digits or _ (no spaces).", "Defnyddiwch 1 i 40 o lythrennau bach, digidau neu _ (dim bylchau).";
    FwErrBuiltIn => "A framework that comes with Waymark uses this id: choose another.", "Mae fframwaith sy'n dod gyda Waymark yn defnyddio'r id hwn: dewiswch un arall.";
    FwErrText => "Write this in English and in Welsh.", "Ysgrifennwch hwn yn Saesneg ac yn Gymraeg.";
    FwErrBadText => "This has characters that cannot be used.", "Mae gan hwn nodau na ellir eu defnyddio.";
    FwErrTooLong => "This is too long.", "Mae hwn yn rhy hir.";
    FwErrScale => "The lowest number must be below the highest.", "Rhaid i'r rhif isaf fod yn is na'r rhif uchaf.";
    FwErrStages => "The stages must cover every number from the lowest to the highest, in order, without gaps or overlaps.", "Rhaid i'r camau gynnwys pob rhif o'r isaf i'r uchaf, mewn trefn, heb fylchau na gorgyffwrdd.";
    FwErrAreas => "A framework needs 1 to 30 areas.", "Mae angen 1 i 30 maes ar fframwaith.";
    FwErrDuplicateArea => "Another area already uses this id.", "Mae maes arall eisoes yn defnyddio'r id hwn.";
    FwNone => "No frameworks of your own yet.", "Dim fframweithiau o'ch rhai eich hun eto.";
    WhatAboutMe => "About me", "Amdanaf i";
    WhatComment => "A comment", "Sylw";
    WhatReading => "A reading", "Darlleniad";
    WhatGoal => "A goal", "Nod";
    WhatStep => "A step", "Cam";
    WhatPlanItem => "A safety plan item", "Eitem yn y cynllun diogelwch";
    WhatPlan => "The safety plan", "Y cynllun diogelwch";
    WhatSharing => "What carers see", "Beth mae gofalwyr yn ei weld";
    WhatPersonPage => "Their page", "Eu tudalen";
    WhatTracker => "The recovery tracker", "Y traciwr adferiad";
    WhatPlanPrint => "The printable safety plan", "Y cynllun diogelwch i'w argraffu";
    WhatAuditTrail => "The audit trail", "Y trywydd archwilio";
    WhatRecord => "The whole record", "Y cofnod cyfan";
    WhatFhir => "A FHIR download", "Lawrlwythiad FHIR";
    WhatCsv => "A readings download", "Lawrlwythiad darlleniadau";
    RecordViewTimes => "({count} times)", "({count} gwaith)";
    AuditWhatFilter => "Part of the record", "Rhan o'r cofnod";
    // Administration screens (issue 16).
    AdminStatus => "Status", "Statws";
    AdminNotForYou => "This page is for Waymark administrators and ward managers.", "Mae'r dudalen hon ar gyfer gweinyddwyr Waymark a rheolwyr wardiau.";
    AdminOr => "or", "neu";
}

/// Fill `{key}` placeholders in a catalogue message.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in args {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

/// Month names, January first.
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_CY: [&str; 12] = [
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
];

/// A calendar date (`YYYY-MM-DD`) in words, as people say it: "3 November 2026", "3 Tachwedd 2026". `None` for
/// something that is not a date (shown as it is by the caller).
pub fn date_in_words(date: &str, lang: Lang) -> Option<String> {
    if !crate::tracker::is_date(date) {
        return None;
    }
    let (year, rest) = date.split_once('-')?;
    let (month, day) = rest.split_once('-')?;
    let month: usize = month.parse().ok()?;
    let day: u32 = day.parse().ok()?;
    let name = match lang {
        Lang::En => MONTHS_EN[month - 1],
        Lang::Cy => MONTHS_CY[month - 1],
    };
    Some(format!("{day} {name} {year}"))
}

/// A message that counts something, in the right form for `n`: `one` for exactly one ("1 change waiting"), `many`
/// otherwise ("{n} changes waiting"), with `{n}` filled in.
pub fn count(lang: Lang, n: u64, one: Msg, many: Msg) -> String {
    let template = if n == 1 { one.text(lang) } else { many.text(lang) };
    fill(template, &[("n", &n.to_string())])
}

/// The catalogue name of a role.
pub fn role_msg(role: crate::Role) -> Msg {
    use crate::Role::*;
    match role {
        ServiceUser => Msg::RoleServiceUser,
        KeyWorker => Msg::RoleKeyWorker,
        Staff => Msg::RoleStaff,
        WardManager => Msg::RoleWardManager,
        Carer => Msg::RoleCarer,
        Admin => Msg::RoleAdmin,
        PeerSupport => Msg::RolePeerSupport,
    }
}

/// The catalogue name of a care-team relation.
pub fn relation_msg(rel: crate::Relation) -> Msg {
    match rel {
        crate::Relation::KeyWorker => Msg::RoleKeyWorker,
        crate::Relation::Staff => Msg::RelationStaff,
        crate::Relation::Carer => Msg::RoleCarer,
        crate::Relation::PeerSupport => Msg::RelationPeerSupport,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn dates_are_said_in_words_in_both_languages() {
        assert_eq!(date_in_words("2026-11-03", Lang::En).as_deref(), Some("3 November 2026"));
        assert_eq!(date_in_words("2026-11-03", Lang::Cy).as_deref(), Some("3 Tachwedd 2026"));
        assert_eq!(date_in_words("2027-01-31", Lang::Cy).as_deref(), Some("31 Ionawr 2027"));
        assert_eq!(date_in_words("2026-02-30", Lang::En), None);
        assert_eq!(date_in_words("soon", Lang::En), None);
    }

    #[test]
    fn counts_take_the_right_form() {
        assert_eq!(count(Lang::En, 1, Msg::SyncWaitingOne, Msg::SyncWaitingMany), "1 change waiting to be sent");
        assert_eq!(count(Lang::En, 3, Msg::SyncWaitingOne, Msg::SyncWaitingMany), "3 changes waiting to be sent");
        assert_eq!(count(Lang::En, 0, Msg::SyncWaitingOne, Msg::SyncWaitingMany), "0 changes waiting to be sent");
    }

    fn placeholders(s: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.insert(rest[start + 1..start + len].to_owned());
            rest = &rest[start + len..];
        }
        out
    }

    #[test]
    fn every_message_has_text_in_both_languages_with_the_same_placeholders() {
        for &m in Msg::ALL {
            let en = m.text(Lang::En);
            let cy = m.text(Lang::Cy);
            assert!(!en.trim().is_empty() && !cy.trim().is_empty(), "{m:?} is empty");
            assert_eq!(placeholders(en), placeholders(cy), "{m:?} placeholders differ");
        }
    }

    #[test]
    fn welsh_is_really_translated() {
        // Only names and loan words may read the same in both languages.
        let same: Vec<_> = Msg::ALL.iter().filter(|m| m.text(Lang::En) == m.text(Lang::Cy)).collect();
        assert_eq!(same, vec![&Msg::AppName, &Msg::Ward, &Msg::ReadingStageOf]);
    }

    #[test]
    fn fill_replaces_named_placeholders() {
        assert_eq!(fill(Msg::HelloName.text(Lang::Cy), &[("name", "Alys")]), "Helo, Alys");
        assert_eq!(
            fill(Msg::SignedInAs.text(Lang::En), &[("name", "Owen"), ("role", "Key worker")]),
            "Signed in as Owen (Key worker)"
        );
    }

    #[test]
    fn language_codes_round_trip() {
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.code()), Some(l));
            assert_eq!(serde_json::to_string(&l).unwrap(), format!("\"{}\"", l.code()));
        }
        assert_eq!(Lang::parse("fr"), None);
    }
}

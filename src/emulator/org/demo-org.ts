// A deterministic, realistic demo org. The same counts and `now` always give the same records (per-object seeded
// RNGs), so tests and benchmarks can rely on ids and values.
//
// Shape of the data:
// - records are created in id order over the two years before `now` (CreatedDate non-decreasing with the id);
//   CreatedDate <= LastModifiedDate <= SystemModstamp <= now, all on whole seconds;
// - children (Contact, Opportunity, Case, Invoice__c) point at live Accounts with a skew: a fifth of them go to the
//   first 1% of accounts ("hot" parents, dozens of children each: lock contention in ingest tests);
// - Case.ContactId/AccountId agree; converted Leads point at a real Contact and its Account;
// - about 1% of every object's rows (not Users) are soft-deleted; children never point at a deleted parent.
import { seededRng, type Rng } from '../rng.js';
import { activePicklistValues } from './metadata.js';
import { createOrgStore, type MemoryOrgStore, type MemoryTable } from './store.js';
import type { FieldValue, OrgSettings, ValidationRule } from './types.js';

export const DEMO_OBJECTS = ['User', 'Account', 'Contact', 'Opportunity', 'Lead', 'Case', 'Invoice__c'] as const;
export type DemoObject = (typeof DEMO_OBJECTS)[number];
export type DemoCounts = Readonly<Record<DemoObject, number>>;

/** Records per object at scale 1. */
export const DEMO_BASE_COUNTS: DemoCounts = Object.freeze({
  User: 5,
  Account: 200,
  Contact: 400,
  Opportunity: 300,
  Lead: 150,
  Case: 100,
  Invoice__c: 200,
});

export const DEMO_SETTINGS: Partial<OrgSettings> = Object.freeze({ hardDeleteAllowed: true });

export const DEMO_VALIDATION_RULES: Readonly<Record<string, readonly ValidationRule[]>> = Object.freeze({
  Account: [
    {
      name: 'Annual_Revenue_Not_Negative',
      active: true,
      errorWhen: 'AnnualRevenue < 0',
      errorMessage: 'Annual revenue cannot be negative',
      errorField: 'AnnualRevenue',
    },
  ],
  Invoice__c: [
    {
      name: 'Amount_Not_Negative',
      active: true,
      errorWhen: 'Amount__c < 0',
      errorMessage: 'Amount must not be negative',
      errorField: 'Amount__c',
    },
  ],
});

export const DEMO_USER = Object.freeze({
  username: 'admin@emulator.local',
  firstName: 'Avery',
  lastName: 'Admin',
  email: 'admin@emulator.local',
  alias: 'aadmin',
});

/** Counts for `scale` (multiplies the base counts; at least one User), with explicit counts taking precedence. */
export function demoCounts(scale = 1, overrides: Readonly<Partial<Record<string, number>>> = {}): DemoCounts {
  const out = {} as Record<DemoObject, number>;
  for (const o of DEMO_OBJECTS) {
    const given = overrides[o];
    out[o] = given !== undefined ? Math.max(0, Math.floor(given)) : Math.round(DEMO_BASE_COUNTS[o] * scale);
  }
  out.User = Math.max(1, out.User);
  return Object.freeze(out);
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

const FIRST = ('James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan ' +
  'Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret ' +
  'Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa ' +
  'George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob Amy ' +
  'Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry Pamela Justin Nicole Scott Anna ' +
  'Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet ' +
  'Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan ' +
  'Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia Ethan Judith Jeremy Evelyn ' +
  'Walter Hannah Christian Andrea Keith Megan Roger Cheryl Terry Jacqueline Austin Madison Sean Teresa Gerald Abigail ' +
  'Carl Sophia Harold Martha Dylan Sara Arthur Gloria Lawrence Janice Jordan Kathryn Jesse Ann Bryan Isabella Billy ' +
  'Judy Bruce Charlotte Gabriel Julia Joe Grace Logan Amber Alan Alice Juan Jean Albert Denise Willie Frances Elijah ' +
  'Danielle Wayne Marilyn Randy Natalie Vincent Beverly Mason Diana Roy Brittany Ralph Theresa Bobby Kayla Russell ' +
  'Alexis Bradley Doris Philip Lori Eugene Tiffany Priya Wei Aisha Mateo Yuki Fatima Lars Chiara Omar Ingrid').split(' ');

const LAST = ('Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson ' +
  'Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson ' +
  'Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell ' +
  'Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales ' +
  'Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson ' +
  'Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long ' +
  'Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher ' +
  'Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes ' +
  "Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez O'Brien " +
  "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson " +
  'Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson ' +
  'Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver ' +
  'Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Hansen Peters Santos Hart Bradley Knight Elliott ' +
  'Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston ' +
  'Matthews Pena Richards Willis Carpenter Lawrence Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins ' +
  'Greene Nunez Wheeler Valdez Harper Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin Dominguez ' +
  'Carr Lawson Jacobs Obrien Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey Williamson Gilbert Dean Sims ' +
  'Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett Burton Fuller Wang Weber Welch Rojas Lucas Marquez Fields ' +
  'Park Yang Little Banks Padilla Day Walsh Bowman Schultz Luna Fowler Mejia Davidson Acosta Brewer May Holland ' +
  'Juarez Newman Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro Figueroa Keller Avila Wade Molina ' +
  'Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda Byrd Craig Ayala Lowe Frazier Powers ' +
  'Neal Leonard Gregory Carrillo Sutton Fleming Rhodes Shelton Schwartz Norris Jennings Watts Duran Walters Cohen ' +
  'McDaniel Moran Parks Steele Vaughn Becker Holt Deleon Barker Terry Hale Leon Hail Benson Haynes Horton Miles Lyons ' +
  'Pham Graves Bush Thornton Wolfe Warner Cabrera McKinney Mann Zimmerman Dawson Lara Fletcher Page McCarthy Love ' +
  'Robles Cervantes Solis Erickson Reeves Chang Klein Salinas Fuentes Baldwin Daniel Simon Velasquez Hardy Higgins ' +
  'Aguirre Lin Cummings Chandler Sharp Barber Bowen Ochoa Dennis Robbins Liu Ramsey Francis Griffith Paul Blair ' +
  "O'Connor Cardenas Pacheco Cross Calderon Quinn Moss Swanson Chan Rivas Khan Rodgers Serrano Fitzgerald Rosales " +
  'Stevenson Christensen Manning Gill Curry McLaughlin Harmon McGee Gross Doyle Garner Newton Burgess Reese Walton ' +
  'Blake Trujillo Adkins Brady Goodman Roman Webster Goodwin Fischer Huang Potter Delacruz Montoya Todd Wu Hines ' +
  'Mullins Castaneda Malone Cannon Tate Mack Sherman Hubbard Hodges Zhang Guerra Wolf Valencia Saunders Franco Rowe ' +
  'Gallagher Farmer Hammond Hampton Townsend Ingram Wise Gallegos Clarke Barton Schroeder Maxwell Waters Logan ' +
  'Camacho Strickland Norman Person Colon Parsons Frank Harrington Glover Osborne Buchanan Casey Floyd Patton Ibarra ' +
  'Ball Tyler Suarez Bowers Orozco Salas Cobb Gibbs Andrade Bauer Conner Moody Escobar McGuire Lloyd Mueller Hartman ' +
  'French Kramer McBride Pope Lindsey Velazquez Norton McCormick Sparks Flynn Yates Hogan Marsh Macias Villanueva ' +
  'Zamora Pratt Stokes Owen Ballard Lang Brock Villarreal Charles Drake Barrera Cain Patrick Pineda Burnett Mercado ' +
  'Santana Shepherd Bautista Ali Shaffer Lamb Trevino McKenzie Hess Beil Olsen Cochran Morton Nash Wilkins Petersen ' +
  'Briggs Shah Roth Nicholson Holloway Lozano Rangel Flowers Hoover Short Arias Mora Valenzuela Bryan Meyers Weiss ' +
  'Underwood Bass Greer Summers Houston Carson Morrow Clayton Whitaker Decker Yoder Collier Zuniga Carey Wilcox ' +
  'Melendez Poole Roberson Larsen Conley Davenport Copeland Massey Lam Huff Rocha Cameron Jefferson Hood Monroe ' +
  'Anthony Pittman Huynh Randall Singleton Kirk Combs Mathis Christian Skinner Bradford Richard Galvan Wall Boone ' +
  'Kirby Wilkinson Bridges Bruce Atkinson Velez Meza Roy Vincent York Hodge Villa Abbott Allison Tapia Gates Chase ' +
  'Sosa Sweeney Farrell Wyatt Dalton Horn Barron Phelps Yu Dickerson Heath Foley Atkins Mathews Bonilla Acevedo ' +
  'Benitez Zavala Hensley Glenn Cisneros Harrell Shields Rubio Choi Huffman Boyer Garrison Arroyo Bond Kane Hancock ' +
  'Callahan Dillon Cline Wiggins Grimes Arellano Melton Oneill Savage Ho Beltran Pitts Parrish Ponce Rich Booth ' +
  'Koch Golden Ware Brennan McDowell Marks Cantu Humphrey Baxter Sawyer Clay Tanner Hutchinson Kaur Berg Wiley ' +
  'Gilmore Russo Villegas Hobbs Keith Wilkerson Ahmed Beard McClain Montes Mata Rosario Vang Walter Henson Oneal ' +
  'Mosley McClure Beasley Stephenson Snow Huerta Preston Vance Barry Johns Eaton Blackwell Dyer Prince Macdonald ' +
  'Solomon Guevara Stafford English Hurst Woodard Cortes Shannon Kemp Nolan McCullough Merritt Murillo Moon Salgado ' +
  'Strong Kline Cordova Barajas Roach Rosas Winters Jacobson Lester Knox Bullock Kerr Leach Meadows Orr Davila ' +
  'Whitehead Pruitt Kent Conway McKee Barr David Dejesus Marin Berger McIntyre Blankenship Gaines Palacios Cuevas ' +
  'Bartlett Durham Dorsey McCall Odonnell Stein Browning Stout Lowery Sloan McLean Hendricks Calhoun Sexton Chung ' +
  'Gentry Hull Duarte Ellison Nielsen Gillespie Buck Middleton Sellers Leblanc Esparza Hardin Bradshaw McIntosh ' +
  'Howe Livingston Frost Glass Morse Knapp Herman Stark Bravo Noble Spears Weeks Corona Frederick Buckley McFarland ' +
  'Hebert Enriquez Hickman Quintero Randolph Schaefer Walls Trejo House Reilly Pennington Michael Conrad Giles ' +
  'Benjamin Crosby Fitzpatrick Donovan Mays Mahoney Valentine Raymond Medrano Hahn McMillan Small Bentley Felix ' +
  'Peck Lucero Boyle Hanna Pace Rush Hurley Harding McConnell Bernal Nava Ayers Everett Ventura Avery Pugh Mayer ' +
  'Bender Shepard McMahon Landry Case Sampson Moses Magana Blackburn Dunlap Gould Duffy Vaughan Herring McKay ' +
  'Espinosa Rivers Farley Bernard Ashley Friedman Potts Truong Costa Correa Blevins Nixon Clements Fry Delarosa ' +
  'Best Benton Lugo Portillo Dougherty Crane Haley Phan Villalobos Blanchard Horne Finley Quintana Lynn Esquivel ' +
  'Bean Dodson Mullen Xiong Hayden Cano Levy Huber Richmond Moyer Lim Frye Sheppard McCarty Avalos Booker Waller ' +
  'Parra Woodward Jaramillo Krueger Rasmussen Brandt Peralta Donaldson Stuart Faulkner Maynard Galindo Coffey ' +
  'Estes Sanford Burch Maddox Vo Oconnell Vu Andersen Spence McPherson Church Schmitt Stanton Leal Cherry Compton ' +
  'Dudley Sierra Pollard Alfaro Hester Proctor Lu Hinton Novak Good Madden McCann Terrell Jarvis Dickson Reyna ' +
  'Cantrell Mayo Branch Hendrix Rollins Rowland Whitney Duke Odom Daugherty Travis Tang Archer').split(' ');

const COMPANY_WORDS = ('Apex Summit Pioneer Horizon Vertex Cascade Meridian Granite Harbor Beacon Evergreen Sterling ' +
  'Northwind Bluewater Redwood Ironwood Silverline Brightpath Clearview Keystone Landmark Lighthouse Mosaic Nimbus ' +
  'Orion Pinnacle Quantum Riverbend Sapphire Tidewater Unity Vanguard Westfield Zenith Atlas Aurora Bayside Canyon ' +
  'Crescent Delta Echo Falcon Frontier Gateway Global Golden Heritage Highland Infinity Juniper Kestrel Liberty ' +
  'Lumen Magnolia Maple Monarch Nova Oakridge Pacific Paragon Prairie Prime Radiant Regal Sequoia Shoreline Solstice ' +
  'Spectrum Stonebridge Sunrise Trident Trinity Valley Vista Willow').split(' ');
const COMPANY_NOUNS = ('Systems Solutions Industries Technologies Logistics Partners Labs Networks Foods Energy Health ' +
  'Analytics Manufacturing Media Capital Consulting Dynamics Robotics Software Supply Medical Materials Motors ' +
  'Biotech Pharma Foods Outfitters Designs Ventures Holdings Group Works Studios Freight Brewing Farms Textiles').split(' ');
const COMPANY_SUFFIX = ['Inc.', 'LLC', 'Corp.', 'Co.', 'Ltd.', 'Group', 'Inc.', 'Inc.', '', ''];

const STREETS = ('Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Sunset Lincoln Jackson Church River Highland ' +
  'Market Spring Mill Center Forest Meadow Ridge Valley Madison Franklin Jefferson Broad Union Water Harbor ' +
  'Mission Bay College Cherry Walnut Chestnut Willow Birch').split(' ');
const STREET_KINDS = ['St', 'Ave', 'Blvd', 'Rd', 'Dr', 'Ln', 'Way', 'Ct', 'Pl', 'Pkwy'];

/** City, state, postal-code prefix, phone area code. */
const US_PLACES: readonly (readonly [string, string, string, string])[] = [
  ['San Francisco', 'CA', '941', '415'], ['Los Angeles', 'CA', '900', '213'], ['San Diego', 'CA', '921', '619'],
  ['San Jose', 'CA', '951', '408'], ['Seattle', 'WA', '981', '206'], ['Portland', 'OR', '972', '503'],
  ['Denver', 'CO', '802', '303'], ['Austin', 'TX', '787', '512'], ['Dallas', 'TX', '752', '214'],
  ['Houston', 'TX', '770', '713'], ['Chicago', 'IL', '606', '312'], ['Minneapolis', 'MN', '554', '612'],
  ['Boston', 'MA', '021', '617'], ['New York', 'NY', '100', '212'], ['Brooklyn', 'NY', '112', '718'],
  ['Philadelphia', 'PA', '191', '215'], ['Pittsburgh', 'PA', '152', '412'], ['Atlanta', 'GA', '303', '404'],
  ['Miami', 'FL', '331', '305'], ['Orlando', 'FL', '328', '407'], ['Charlotte', 'NC', '282', '704'],
  ['Raleigh', 'NC', '276', '919'], ['Nashville', 'TN', '372', '615'], ['Columbus', 'OH', '432', '614'],
  ['Cleveland', 'OH', '441', '216'], ['Detroit', 'MI', '482', '313'], ['Phoenix', 'AZ', '850', '602'],
  ['Salt Lake City', 'UT', '841', '801'], ['Kansas City', 'MO', '641', '816'], ['St. Louis', 'MO', '631', '314'],
  ['Indianapolis', 'IN', '462', '317'], ['Milwaukee', 'WI', '532', '414'], ['Baltimore', 'MD', '212', '410'],
  ['Washington', 'DC', '200', '202'], ['Richmond', 'VA', '232', '804'], ['New Orleans', 'LA', '701', '504'],
  ['Las Vegas', 'NV', '891', '702'], ['Albuquerque', 'NM', '871', '505'], ['Omaha', 'NE', '681', '402'],
  ['Boise', 'ID', '837', '208'],
];

const TITLES = ['CEO', 'CFO', 'CTO', 'COO', 'VP Sales', 'VP Marketing', 'VP Engineering', 'Director of Operations',
  'Director of IT', 'Head of Procurement', 'Sales Manager', 'Account Manager', 'Marketing Manager', 'Product Manager',
  'Software Engineer', 'Data Analyst', 'Operations Manager', 'Office Manager', 'Buyer', 'Controller',
  'Customer Success Manager', 'Project Manager', 'IT Manager', 'Financial Analyst', 'HR Director'];
const DEPARTMENTS = ['Sales', 'Marketing', 'Engineering', 'Finance', 'Operations', 'IT', 'Procurement', 'Support',
  'Human Resources', 'Legal', 'Executive'];
const PRODUCTS = ['Platform License', 'Annual Renewal', 'Implementation', 'Expansion', 'Support Upgrade', 'Pilot',
  'Enterprise Agreement', 'Add-on Seats', 'Training Package', 'Hardware Refresh', 'Consulting Hours', 'Data Migration'];
const NEXT_STEPS = ['Send proposal', 'Schedule demo', 'Follow up with procurement', 'Legal review', 'Executive sponsor call',
  'Confirm budget', 'Technical validation', 'Negotiate terms'];
const CASE_SUBJECTS = ['Cannot log in to the portal', 'Invoice amount looks wrong', 'Shipment arrived damaged',
  'Request for product documentation', 'Error when exporting report', 'Password reset not working',
  'Feature request: bulk edit', 'Integration sync is failing', 'Question about renewal pricing',
  'Performance degraded since update', 'Missing items in order', 'Need to change billing contact',
  'API returns timeout errors', 'Training session request', 'Data import stuck in progress'];
const ACCOUNT_DESCRIPTIONS = ['Key strategic account.', 'Regional distributor with growth potential.',
  'Long-time customer; renewal due next quarter.', 'Evaluating competitive offerings.',
  'Prefers communication by email.', 'Multi-site deployment across several regions.'];
const INVOICE_NOTES = ['Net 30 terms.', 'Partial shipment billed.', 'Customer requested PO number on invoice.',
  'Discount applied per agreement.', 'Resent to billing contact.'];

const DAY = 86_400_000;
const SPAN = 730 * DAY;

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)];
}

function weighted<T>(rng: Rng, list: readonly T[], weights: readonly number[]): T {
  let total = 0;
  for (const w of weights) total += w;
  let r = rng() * total;
  for (let i = 0; i < list.length; i++) {
    r -= weights[i] ?? 0;
    if (r < 0) return list[i];
  }
  return list[list.length - 1];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function slug(s: string): string {
  return s.toLowerCase().replace(/&/g, 'and').replace(/[^a-z0-9]+/g, '');
}

function emailLocal(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function dateOnly(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** Audit timestamps of row `i` of `n`: created in the i-th slice of the span, never before `notBefore`. */
function stamps(rng: Rng, i: number, n: number, now: number, notBefore = 0): [number, number, number] {
  const start = now - SPAN;
  let created = start + Math.floor((SPAN * i) / Math.max(n, 1)) + Math.floor((rng() * SPAN) / Math.max(n, 1));
  if (created < notBefore) created = notBefore + Math.floor(rng() * Math.min(DAY * 30, Math.max(0, now - notBefore)));
  created = seconds(Math.min(created, now));
  const r = rng();
  const modified = seconds(created + r * r * (now - created));
  const stamp = rng() < 0.1 ? seconds(modified + rng() * (now - modified)) : modified;
  return [created, Math.max(created, modified), Math.max(modified, stamp)];
}

/** Column values picked from a field's active describe picklist values. */
function values(table: MemoryTable, field: string): string[] {
  const f = table.type.field(field);
  if (!f) throw new Error(`${table.type.name}.${field} missing`);
  const v = activePicklistValues(f);
  if (!v.length) throw new Error(`${table.type.name}.${field} has no active picklist values`);
  return v;
}

/** A parent picker: 20% of picks go to the first 1% ("hot") parents, the rest uniformly; never a dead parent. */
function parentPicker(rng: Rng, live: Uint8Array, n: number): () => number {
  const hot = Math.max(1, Math.ceil(n * 0.01));
  let anyLive = false;
  for (let i = 0; i < n; i++) if (live[i]) { anyLive = true; break; }
  return () => {
    if (!anyLive) return -1;
    for (;;) {
      const i = rng() < 0.2 ? Math.floor(rng() * hot) : Math.floor(rng() * n);
      if (live[i]) return i;
    }
  };
}

interface Ctx {
  readonly store: MemoryOrgStore;
  readonly now: number;
  readonly counts: DemoCounts;
  userIds: string[];
  accIds: string[];
  accLive: Uint8Array;
  accCreated: Float64Array;
  accDomain: string[];
  accOwner: Uint16Array;
  conIds: string[];
  conLive: Uint8Array;
  conAccount: Int32Array;
  /** Generated values that repeat across records, one string each (see shared). */
  readonly pool: Map<string, string>;
}

/**
 * The one string of this value generation has made so far. Generated names, domains and phone numbers repeat
 * (2,000,000 Accounts hold about 550,000 distinct names, 300,000 websites and 400,000 phone numbers): sharing
 * them keeps 2M Accounts 17% smaller (489 instead of 591 heap bytes a row) and leaves the collector 4.8M fewer objects to mark. The pool lives
 * as long as the generation does.
 */
function shared(ctx: Ctx, value: string): string {
  const known = ctx.pool.get(value);
  if (known !== undefined) return known;
  ctx.pool.set(value, value);
  return value;
}

function table(ctx: Ctx, name: string): MemoryTable {
  const t = ctx.store.table(name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
}

const SEED_OPTS = { checkUnique: false } as const;

function maybeDelete(rng: Rng, row: Record<string, FieldValue>, now: number): boolean {
  if (rng() >= 0.01) return false;
  const stamp = row.SystemModstamp as number;
  row.IsDeleted = true;
  row.SystemModstamp = seconds(stamp + rng() * (now - stamp));
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Objects

function genUsers(ctx: Ctx): void {
  const rng = seededRng('demo:User');
  const t = table(ctx, 'User');
  ctx.userIds = [ctx.store.user.id];
  const used = new Set<string>(['admin']);
  for (let i = 1; i < ctx.counts.User; i++) {
    const first = pick(rng, FIRST);
    const last = pick(rng, LAST);
    let local = `${emailLocal(first)}.${emailLocal(last)}`;
    if (used.has(local)) local += i;
    used.add(local);
    const [created, modified, stamp] = stamps(rng, i, ctx.counts.User, ctx.now);
    const place = pick(rng, US_PLACES);
    const row = t.insertSeeded(
      {
        Username: `${local}@demo.emulator.example.com`,
        FirstName: first,
        LastName: last,
        Email: `${local}@demo.emulator.example.com`,
        Alias: (first[0] + last).toLowerCase().replace(/[^a-z]/g, '').slice(0, 8),
        CommunityNickname: local.slice(0, 40),
        Title: i === 1 ? 'Sales Director' : 'Account Executive',
        Department: 'Sales',
        CompanyName: 'Demo Org',
        City: place[0],
        State: place[1],
        Country: 'United States',
        Phone: phone(rng, place[3]),
        IsActive: i % 10 !== 9,
        TimeZoneSidKey: 'America/Los_Angeles',
        LocaleSidKey: 'en_US',
        LanguageLocaleKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        ProfileId: ctx.store.table('User')!.get(ctx.store.user.id)!.ProfileId,
        UserType: 'Standard',
        ManagerId: i === 1 ? ctx.store.user.id : ctx.userIds[1],
        ReceivesInfoEmails: false,
        ReceivesAdminInfoEmails: false,
        IsPortalEnabled: false,
        LastLoginDate: seconds(ctx.now - rng() * 14 * DAY),
        CreatedDate: created,
        LastModifiedDate: modified,
        SystemModstamp: stamp,
      },
      ctx.now,
      SEED_OPTS,
    );
    ctx.userIds.push(row.Id as string);
  }
}

function pickOwner(rng: Rng, ctx: Ctx): number {
  // The admin owns few records; the sales users share the rest, the first ones more.
  const n = ctx.userIds.length;
  if (n === 1) return 0;
  return rng() < 0.1 ? 0 : 1 + Math.floor(rng() * rng() * (n - 1));
}

function companyName(rng: Rng): string {
  const style = rng();
  let base: string;
  if (style < 0.35) base = `${pick(rng, LAST)} ${pick(rng, COMPANY_NOUNS)}`;
  else if (style < 0.7) base = `${pick(rng, COMPANY_WORDS)} ${pick(rng, COMPANY_NOUNS)}`;
  else if (style < 0.85) base = `${pick(rng, LAST)} & ${pick(rng, LAST)}`;
  else base = `${pick(rng, COMPANY_WORDS)}${pick(rng, COMPANY_NOUNS).toLowerCase()}`;
  const suffix = pick(rng, COMPANY_SUFFIX);
  return suffix ? `${base} ${suffix}` : base;
}

function streetLine(rng: Rng): string {
  return `${1 + Math.floor(rng() * 9899)} ${pick(rng, STREETS)} ${pick(rng, STREET_KINDS)}`;
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => pad(i, 2));
const FOUR_DIGITS = Array.from({ length: 10000 }, (_, i) => pad(i, 4));
const YEARS = Array.from({ length: 74 }, (_, i) => String(1950 + i));
/** Interned postal codes (shared strings keep millions of rows small). */
const POSTAL = new Map<string, string[]>();

function postal(rng: Rng, prefix: string): string {
  let codes = POSTAL.get(prefix);
  if (!codes) POSTAL.set(prefix, (codes = TWO_DIGITS.map((d) => prefix + d)));
  return codes[Math.floor(rng() * 100)];
}

function phone(rng: Rng, area: string): string {
  return `(${area}) 555-${FOUR_DIGITS[Math.floor(rng() * 10000)]}`;
}

function genAccounts(ctx: Ctx): void {
  const rng = seededRng('demo:Account');
  const t = table(ctx, 'Account');
  const n = ctx.counts.Account;
  const width = Math.max(6, String(n).length);
  const types = values(t, 'Type');
  const industries = values(t, 'Industry');
  const ownership = values(t, 'Ownership');
  const ratings = values(t, 'Rating');
  const sources = values(t, 'AccountSource');
  ctx.accIds = new Array<string>(n);
  ctx.accLive = new Uint8Array(n);
  ctx.accCreated = new Float64Array(n);
  ctx.accDomain = new Array<string>(n);
  ctx.accOwner = new Uint16Array(n);
  const typeWeights = types.map((v) => (v.startsWith('Customer') ? 6 : v === 'Prospect' ? 8 : 1));
  for (let i = 0; i < n; i++) {
    const name = shared(ctx, companyName(rng));
    const domain = shared(ctx, `${slug(name.replace(/ (Inc\.|LLC|Corp\.|Co\.|Ltd\.|Group)$/, ''))}.example.com`);
    const place = pick(rng, US_PLACES);
    const street = streetLine(rng);
    const zip = postal(rng, place[2]);
    const [created, modified, stamp] = stamps(rng, i, n, ctx.now);
    const owner = pickOwner(rng, ctx);
    const employees = Math.floor(Math.exp(rng() * 10));
    const row: Record<string, FieldValue> = {
      Name: name,
      Type: weighted(rng, types, typeWeights),
      BillingStreet: street,
      BillingCity: place[0],
      BillingState: place[1],
      BillingPostalCode: zip,
      BillingCountry: 'United States',
      ShippingStreet: street,
      ShippingCity: place[0],
      ShippingState: place[1],
      ShippingPostalCode: zip,
      ShippingCountry: 'United States',
      Phone: shared(ctx, phone(rng, place[3])),
      Website: shared(ctx, `https://www.${domain}`),
      Industry: pick(rng, industries),
      AnnualRevenue: rng() < 0.85 ? employees * (50_000 + Math.floor(rng() * 200) * 1000) : null,
      NumberOfEmployees: employees,
      Ownership: pick(rng, ownership),
      Rating: rng() < 0.7 ? pick(rng, ratings) : null,
      AccountSource: pick(rng, sources),
      YearStarted: pick(rng, YEARS),
      Description: rng() < 0.1 ? pick(rng, ACCOUNT_DESCRIPTIONS) : null,
      ParentId: null,
      External_Id__c: `ACC-${pad(i + 1, width)}`,
      OwnerId: ctx.userIds[owner],
      CreatedById: ctx.userIds[owner],
      LastModifiedById: ctx.userIds[rng() < 0.8 ? owner : pickOwner(rng, ctx)],
      CreatedDate: created,
      LastModifiedDate: modified,
      SystemModstamp: stamp,
    };
    if (i > 10 && rng() < 0.03) {
      // A parent account among the first thousand, and a live one (a deleted parent takes its children with it).
      const p = Math.floor(rng() * Math.min(i, 1000));
      if (ctx.accLive[p]) row.ParentId = ctx.accIds[p];
    }
    const dead = maybeDelete(rng, row, ctx.now);
    const saved = t.insertSeeded(row, ctx.now, SEED_OPTS);
    ctx.accIds[i] = saved.Id as string;
    ctx.accLive[i] = dead ? 0 : 1;
    ctx.accCreated[i] = created;
    ctx.accDomain[i] = domain;
    ctx.accOwner[i] = owner;
  }
}

function genContacts(ctx: Ctx): void {
  const rng = seededRng('demo:Contact');
  const t = table(ctx, 'Contact');
  const n = ctx.counts.Contact;
  const width = Math.max(6, String(n).length);
  const salutations = values(t, 'Salutation');
  const sources = values(t, 'LeadSource');
  const parent = parentPicker(rng, ctx.accLive, ctx.counts.Account);
  ctx.conIds = new Array<string>(n);
  ctx.conLive = new Uint8Array(n);
  ctx.conAccount = new Int32Array(n);
  const accounts = table(ctx, 'Account');
  for (let i = 0; i < n; i++) {
    const a = rng() < 0.97 ? parent() : -1;
    const first = pick(rng, FIRST);
    const last = pick(rng, LAST);
    const place = pick(rng, US_PLACES);
    const [created, modified, stamp] = stamps(rng, i, n, ctx.now, a >= 0 ? ctx.accCreated[a] : 0);
    const owner = a >= 0 ? ctx.accOwner[a] : pickOwner(rng, ctx);
    const acc = a >= 0 ? accounts.get(ctx.accIds[a]) : undefined;
    const domain = a >= 0 ? ctx.accDomain[a] : `${emailLocal(last)}mail.example.com`;
    const sameAddress = acc !== undefined && rng() < 0.7;
    const row: Record<string, FieldValue> = {
      AccountId: a >= 0 ? ctx.accIds[a] : null,
      Salutation: rng() < 0.6 ? pick(rng, salutations) : null,
      FirstName: first,
      LastName: last,
      MailingStreet: sameAddress ? acc.BillingStreet : streetLine(rng),
      MailingCity: sameAddress ? acc.BillingCity : place[0],
      MailingState: sameAddress ? acc.BillingState : place[1],
      MailingPostalCode: sameAddress ? acc.BillingPostalCode : postal(rng, place[2]),
      MailingCountry: 'United States',
      Phone: phone(rng, place[3]),
      MobilePhone: rng() < 0.6 ? phone(rng, place[3]) : null,
      Email: `${emailLocal(first)}.${emailLocal(last)}@${domain}`,
      Title: pick(rng, TITLES),
      Department: pick(rng, DEPARTMENTS),
      LeadSource: rng() < 0.8 ? pick(rng, sources) : null,
      Birthdate: rng() < 0.3 ? dateOnly(ctx.now - (22 + rng() * 45) * 365.25 * DAY) : null,
      External_Id__c: `CON-${pad(i + 1, width)}`,
      ...audit(ctx.userIds[owner], created, modified, stamp),
    };
    const dead = maybeDelete(rng, row, ctx.now);
    const saved = t.insertSeeded(row, ctx.now, SEED_OPTS);
    ctx.conIds[i] = saved.Id as string;
    ctx.conLive[i] = dead ? 0 : 1;
    ctx.conAccount[i] = a;
  }
}

function genOpportunities(ctx: Ctx): void {
  const rng = seededRng('demo:Opportunity');
  const t = table(ctx, 'Opportunity');
  const n = ctx.counts.Opportunity;
  const stages = values(t, 'StageName');
  const stageWeights = stages.map((s) => (s === 'Closed Won' ? 14 : s === 'Closed Lost' ? 12 : 8));
  const types = values(t, 'Type');
  const sources = values(t, 'LeadSource');
  const parent = parentPicker(rng, ctx.accLive, ctx.counts.Account);
  const accounts = table(ctx, 'Account');
  for (let i = 0; i < n; i++) {
    const a = parent();
    const acc = a >= 0 ? accounts.get(ctx.accIds[a]) : undefined;
    const [created, modified, stamp] = stamps(rng, i, n, ctx.now, a >= 0 ? ctx.accCreated[a] : 0);
    const stage = weighted(rng, stages, stageWeights);
    const closed = stage.startsWith('Closed');
    const closeMs = closed ? created + rng() * Math.max(0, Math.min(180 * DAY, modified - created)) : ctx.now + (rng() * 240 - 30) * DAY;
    const owner = a >= 0 ? ctx.accOwner[a] : pickOwner(rng, ctx);
    const row: Record<string, FieldValue> = {
      AccountId: acc ? (acc.Id as string) : null,
      Name: `${acc ? String(acc.Name) : companyName(rng)} - ${pick(rng, PRODUCTS)}`,
      StageName: stage,
      Amount: Math.round(1000 + rng() * rng() * 250_000),
      CloseDate: dateOnly(closeMs),
      Type: pick(rng, types),
      LeadSource: rng() < 0.8 ? pick(rng, sources) : null,
      NextStep: closed ? null : pick(rng, NEXT_STEPS),
      TotalOpportunityQuantity: rng() < 0.5 ? 1 + Math.floor(rng() * 50) : null,
      ...audit(ctx.userIds[owner], created, modified, stamp),
    };
    maybeDelete(rng, row, ctx.now);
    t.insertSeeded(row, ctx.now, SEED_OPTS);
  }
}

/** Owner and audit fields of a seeded row: one user owns, created and last modified it. */
function audit(userId: string, created: number, modified: number, stamp: number) {
  return {
    OwnerId: userId,
    CreatedById: userId,
    LastModifiedById: userId,
    CreatedDate: created,
    LastModifiedDate: modified,
    SystemModstamp: stamp,
  };
}

function genLeads(ctx: Ctx): void {
  const rng = seededRng('demo:Lead');
  const t = table(ctx, 'Lead');
  const n = ctx.counts.Lead;
  const statuses = values(t, 'Status');
  const statusWeights = statuses.map((s) => (s.startsWith('Open') ? 5 : s.startsWith('Working') ? 4 : s === 'Closed - Converted' ? 2 : 2));
  const sources = values(t, 'LeadSource');
  const industries = values(t, 'Industry');
  const ratings = values(t, 'Rating');
  const salutations = values(t, 'Salutation');
  const contacts = table(ctx, 'Contact');
  const nCon = ctx.counts.Contact;
  for (let i = 0; i < n; i++) {
    const first = pick(rng, FIRST);
    const last = pick(rng, LAST);
    const company = companyName(rng);
    const domain = `${slug(company.replace(/ (Inc\.|LLC|Corp\.|Co\.|Ltd\.|Group)$/, ''))}.example.com`;
    const place = pick(rng, US_PLACES);
    const [created, modified, stamp] = stamps(rng, i, n, ctx.now);
    let status = weighted(rng, statuses, statusWeights);
    const row: Record<string, FieldValue> = {
      Salutation: rng() < 0.5 ? pick(rng, salutations) : null,
      FirstName: first,
      LastName: last,
      Title: pick(rng, TITLES),
      Company: company,
      Street: streetLine(rng),
      City: place[0],
      State: place[1],
      PostalCode: postal(rng, place[2]),
      Country: 'United States',
      Phone: phone(rng, place[3]),
      Email: `${emailLocal(first)}.${emailLocal(last)}@${domain}`,
      Website: rng() < 0.6 ? `https://www.${domain}` : null,
      LeadSource: pick(rng, sources),
      Industry: rng() < 0.8 ? pick(rng, industries) : null,
      Rating: rng() < 0.6 ? pick(rng, ratings) : null,
      AnnualRevenue: rng() < 0.5 ? Math.floor(rng() * 500) * 100_000 : null,
      NumberOfEmployees: rng() < 0.6 ? Math.floor(Math.exp(rng() * 9)) : null,
      OwnerId: ctx.userIds[pickOwner(rng, ctx)],
      IsConverted: false,
      ConvertedDate: null,
      ConvertedAccountId: null,
      ConvertedContactId: null,
      CreatedDate: created,
      LastModifiedDate: modified,
      SystemModstamp: stamp,
    };
    if (status === 'Closed - Converted') {
      // Converted into a real, live contact (and its account).
      let c = -1;
      for (let tries = 0; tries < 20 && nCon > 0; tries++) {
        const k = Math.floor(rng() * nCon);
        if (ctx.conLive[k] && ctx.conAccount[k] >= 0 && ctx.accLive[ctx.conAccount[k]]) { c = k; break; }
      }
      if (c >= 0) {
        const con = contacts.get(ctx.conIds[c])!;
        row.IsConverted = true;
        row.ConvertedDate = dateOnly(modified);
        row.ConvertedContactId = con.Id;
        row.ConvertedAccountId = con.AccountId;
      } else status = statuses.find((s) => s.startsWith('Working')) ?? statuses[0];
    }
    row.Status = status;
    row.CreatedById = row.OwnerId;
    row.LastModifiedById = row.OwnerId;
    maybeDelete(rng, row, ctx.now);
    t.insertSeeded(row, ctx.now, SEED_OPTS);
  }
}

function genCases(ctx: Ctx): void {
  const rng = seededRng('demo:Case');
  const t = table(ctx, 'Case');
  const n = ctx.counts.Case;
  const statuses = values(t, 'Status');
  const statusWeights = statuses.map((s) => (s === 'Closed' ? 6 : s === 'New' ? 3 : 2));
  const priorities = values(t, 'Priority');
  const origins = values(t, 'Origin');
  const types = values(t, 'Type');
  const reasons = values(t, 'Reason');
  const parent = parentPicker(rng, ctx.accLive, ctx.counts.Account);
  const contacts = table(ctx, 'Contact');
  const nCon = ctx.counts.Contact;
  for (let i = 0; i < n; i++) {
    // Mostly raised by a live contact of a live account; sometimes by an account alone.
    let accountId: FieldValue = null;
    let contactId: FieldValue = null;
    let notBefore = 0;
    let owner = pickOwner(rng, ctx);
    if (nCon > 0 && rng() < 0.9) {
      for (let tries = 0; tries < 20; tries++) {
        const k = Math.floor(rng() * nCon);
        const a = ctx.conAccount[k];
        if (ctx.conLive[k] && (a < 0 || ctx.accLive[a])) {
          const con = contacts.get(ctx.conIds[k])!;
          contactId = con.Id;
          accountId = con.AccountId ?? null;
          notBefore = con.CreatedDate as number;
          if (a >= 0) owner = ctx.accOwner[a];
          break;
        }
      }
    }
    if (contactId === null) {
      const a = parent();
      if (a >= 0) {
        accountId = ctx.accIds[a];
        notBefore = ctx.accCreated[a];
        owner = ctx.accOwner[a];
      }
    }
    const [created, modified, stamp] = stamps(rng, i, n, ctx.now, notBefore);
    const status = weighted(rng, statuses, statusWeights);
    const row: Record<string, FieldValue> = {
      AccountId: accountId,
      ContactId: contactId,
      Subject: pick(rng, CASE_SUBJECTS),
      Description: rng() < 0.5 ? 'Customer reported the issue by ' + pick(rng, origins).toLowerCase() + '.' : null,
      Status: status,
      Priority: weighted(rng, priorities, priorities.map((p) => (p === 'Medium' ? 5 : p === 'Low' ? 3 : 2))),
      Origin: pick(rng, origins),
      Type: rng() < 0.8 ? pick(rng, types) : null,
      Reason: rng() < 0.7 ? pick(rng, reasons) : null,
      ClosedDate: status === 'Closed' ? modified : null,
      IsEscalated: status === 'Escalated',
      ...audit(ctx.userIds[owner], created, modified, stamp),
    };
    maybeDelete(rng, row, ctx.now);
    t.insertSeeded(row, ctx.now, SEED_OPTS);
  }
}

function genInvoices(ctx: Ctx): void {
  const n = ctx.counts.Invoice__c;
  if (n === 0) return;
  if (ctx.counts.Account === 0 || !ctx.accLive.some((x) => x === 1)) {
    throw new Error('Invoice__c records need at least one live Account (Account__c is required)');
  }
  const rng = seededRng('demo:Invoice__c');
  const t = table(ctx, 'Invoice__c');
  const width = Math.max(6, String(n).length);
  const statuses = values(t, 'Status__c');
  const parent = parentPicker(rng, ctx.accLive, ctx.counts.Account);
  for (let i = 0; i < n; i++) {
    const a = parent();
    const [created, modified, stamp] = stamps(rng, i, n, ctx.now, ctx.accCreated[a]);
    const status = weighted(rng, statuses, statuses.map((s) => (s === 'Paid' ? 6 : s === 'Sent' ? 4 : s === 'Draft' ? 2 : 1)));
    const paid = status === 'Paid';
    const qty = 1 + Math.floor(rng() * 40);
    const owner = ctx.accOwner[a];
    const row: Record<string, FieldValue> = {
      Name: `INV-${pad(i + 1, width)}`,
      External_Id__c: `INV-${pad(i + 1, width)}`,
      Account__c: ctx.accIds[a],
      Amount__c: Math.round(qty * (20 + rng() * 980) * 100) / 100,
      Status__c: status,
      Due_Date__c: dateOnly(created + 30 * DAY),
      Paid__c: paid,
      Paid_At__c: paid ? modified : null,
      Email__c: `billing@${ctx.accDomain[a]}`,
      Notes__c: rng() < 0.15 ? pick(rng, INVOICE_NOTES) : null,
      Quantity__c: qty,
      ...audit(ctx.userIds[owner], created, modified, stamp),
    };
    maybeDelete(rng, row, ctx.now);
    t.insertSeeded(row, ctx.now, SEED_OPTS);
  }
}

/**
 * Fills `store` (which must have its running user and no records yet) with demo records. Objects are generated in
 * dependency order, each from its own seeded RNG.
 */
export function generateDemoRecords(store: MemoryOrgStore, counts: DemoCounts, now: number): void {
  const ctx: Ctx = {
    store,
    now: seconds(now),
    counts,
    userIds: [],
    accIds: [],
    accLive: new Uint8Array(0),
    accCreated: new Float64Array(0),
    accDomain: [],
    accOwner: new Uint16Array(0),
    conIds: [],
    conLive: new Uint8Array(0),
    conAccount: new Int32Array(0),
    pool: new Map(),
  };
  genUsers(ctx);
  genAccounts(ctx);
  genContacts(ctx);
  genOpportunities(ctx);
  genLeads(ctx);
  genCases(ctx);
  genInvoices(ctx);
}

export interface DemoOrgOptions {
  /** Multiplies the base counts (default 1). */
  readonly scale?: number;
  /** Explicit counts per object (take precedence over scale). */
  readonly counts?: Readonly<Partial<Record<string, number>>>;
  /** "Now" for the generated timestamps (default: the current time). Same now + counts = same org. */
  readonly now?: number;
}

/** The demo org: users, generated records, hard delete granted, the demo validation rules. */
export function createDemoOrg(opts: DemoOrgOptions = {}): MemoryOrgStore {
  const now = seconds(opts.now ?? Date.now());
  const counts = demoCounts(opts.scale ?? 1, opts.counts ?? {});
  const store = createOrgStore({
    settings: DEMO_SETTINGS,
    validationRules: DEMO_VALIDATION_RULES,
    user: DEMO_USER,
    now: now - 730 * DAY - DAY,
  });
  generateDemoRecords(store, counts, now);
  return store;
}
